// Named points where the crash suite (test/crash.e2e.test.ts) kills whybot as an OOM killer
// or a supervisor's SIGKILL would: WHYBOT_FAILPOINT=<name> makes the process die there, with
// no chance to clean up. Unset (always, outside that suite), a failpoint is one env lookup.
export type Failpoint =
  | 'investigation:root-posted'
  | 'write:intended'
  | 'write:claimed'
  | 'write:done-unrecorded'
  | 'write:verifying';

export function failpoint(name: Failpoint): void {
  if (process.env.WHYBOT_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
