// The verdict from the rules' structured results: incident 003's story when tasks hold a
// rotated password, the healthy line when everything was seen, else the most severe finding.
import type { RuleResults, VerdictDraft } from '../define.js';
import { formatUtc } from '../../time.js';
import type { DbDownEvidence } from './evidence.js';
import type { rules } from './rules/index.js';

type Results = RuleResults<typeof rules>;

export function verdict(e: DbDownEvidence, results: Results): VerdictDraft {
  const stale = results.data('stale-credentials');
  const first = stale[0];
  if (first) {
    const total = stale.reduce((sum, s) => sum + s.staleTasks, 0);
    const who = stale.map((s) => `${s.staleTasks} task${s.staleTasks === 1 ? '' : 's'} of ECS service ${s.service}`).join(' and ');
    const secret = first.secret ?? 'the DB secret';
    return {
      severity: 'critical',
      cause: 'stale-credentials',
      subject: secret,
      counts: { staleTasks: total, services: stale.length },
      summary: `Likely cause: secret ${secret} rotated at ${formatUtc(first.changedAt)} (${first.changeSource}). ${who} started before that and still ${total === 1 ? 'holds' : 'hold'} the old password.`,
    };
  }
  const healthy = results.outcome('credentials-healthy').hits[0];
  if (healthy) {
    const heads = results.findings.filter((f) => f.severity === 'warning').map((f) => f.title);
    return {
      severity: 'ok',
      subject: healthy.data.db,
      counts: { tasks: healthy.data.tasks, services: healthy.data.services.length },
      summary: `${healthy.finding.title}.${heads.length ? ` Heads-up: ${heads.join('; ')}.` : ''}`,
    };
  }
  const top = results.top;
  const down = top?.id === 'db-unavailable' ? results.data('db-unavailable')[0] : undefined;
  if (top && down?.startCommand) {
    // stopped: who did it, when, and what brings it back
    const by = down.stoppedBy ? ` ${down.stoppedBy.actor ?? 'Someone'} stopped it at ${formatUtc(down.stoppedBy.time)} (${down.stoppedBy.event}).` : '';
    return { severity: top.severity, cause: top.id, subject: down.db, summary: `${top.title}.${by} Start it: ${down.startCommand}` };
  }
  if (top && top.severity !== 'info') {
    const subject = subjectOf(results, top.id) ?? e.db?.id ?? e.input.target;
    return { severity: top.severity, cause: top.id, subject, summary: `${top.title}.` };
  }
  if (results.failedChecks.length > 0)
    return { severity: 'info', summary: `No cause found in what whybot could see.${top ? ` ${top.title}.` : ''}` };
  return { severity: 'info', summary: top ? `No cause found. ${top.title}.` : 'No cause found in the evidence checked.' };
}

/** What the finding a verdict rests on is about: the DB, or the secret. */
function subjectOf(results: Results, id: string): string | undefined {
  switch (id) {
    case 'db-not-found':
      return results.data('db-not-found')[0]?.target;
    case 'db-unavailable':
      return results.data('db-unavailable')[0]?.db;
    case 'rotation-failed':
      return results.data('rotation-failed')[0]?.secret;
    case 'short-rotation-interval':
      return results.data('short-rotation-interval')[0]?.secret;
    case 'password-changed-consumers-unknown':
      return results.data('password-changed-consumers-unknown')[0]?.secret;
    default:
      return undefined;
  }
}
