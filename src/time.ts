/**
 * The longest look-back an investigation takes, in hours: 14 days, as far back as RDS keeps
 * events. Here, below config, slack/ and playbooks/, so each of them states the same limit.
 */
export const MAX_HOURS = 336;

/** "2026-11-23 10:09 UTC": unambiguous in a terminal, a JSON file and a Slack message alike. */
export function formatUtc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDuration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

/**
 * Orders by an ISO-8601 `time` (all in UTC, same width), oldest first. Plain comparison:
 * the same order as localeCompare for these strings, without loading collation data.
 */
export function byTime(a: { time: string }, b: { time: string }): number {
  return a.time < b.time ? -1 : a.time > b.time ? 1 : 0;
}
