// The database itself is down (stopped, failed, out of storage…): credentials come second.
// A stopped DB: who stopped it and when (CloudTrail), and the command that starts it.
import { code, para, rich } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import type { DbSummary } from '../../../aws/rds.js';
import { rule, STOPPED, stoppedResource } from '../evidence.js';
import { NOTABLE_RDS_EVENT, TRANSITIONAL, UP_STATUSES } from '../facts.js';

/** The AWS CLI command that starts a stopped DB (an Aurora member starts with its cluster). */
export function startCommandFor(db: DbSummary, region: string): string {
  const res = stoppedResource(db);
  return res.kind === 'cluster'
    ? `aws rds start-db-cluster --db-cluster-identifier ${res.id} --region ${region}`
    : `aws rds start-db-instance --db-instance-identifier ${res.id} --region ${region}`;
}

export default rule({
  id: 'db-unavailable',
  severity: 'critical',
  summary: 'The DB cluster or instance is not in a status that accepts connections (a warning while modifying); a stopped one: who stopped it, when, and the start command',
  needs: ['db'],
  remediations: [],
  apply(e) {
    const { db } = e;
    if (!db || UP_STATUSES.has(db.status)) return undefined;
    const relevant = e.rdsEvents?.filter((r) => NOTABLE_RDS_EVENT.test(r.message) || /stop|fail|storage|inaccessible/i.test(r.message));
    const last = relevant?.at(-1);
    const since = last ? `since ${formatUtc(last.time)} (RDS: ${last.message})` : `since before the last ${e.input.hours} h`;
    const transitional = TRANSITIONAL.has(db.status);
    const stopped = STOPPED.has(db.status);
    const stop = stopped ? e.stopEvent : undefined;
    // what brings it back: a stopped DB only starts when someone starts it (or after 7 days)
    const startCommand = stopped ? startCommandFor(db, e.input.region) : undefined;
    return {
      data: {
        db: db.id,
        kind: db.kind,
        status: db.status,
        transitional,
        ...(last ? { lastEvent: { time: last.time, message: last.message } } : {}),
        ...(stop ? { stoppedBy: { ...(stop.actor ? { actor: stop.actor } : {}), time: stop.time, event: stop.name } } : {}),
        ...(startCommand ? { startCommand } : {}),
      },
      ...(transitional ? { severity: 'warning' as const } : {}),
      title: `${db.kind === 'cluster' ? 'DB cluster' : 'DB instance'} ${db.id} is ${db.status}, not available`,
      detail: rich(
        para(
          'The database itself does not accept connections: status is ',
          code(db.status),
          ` ${since}. Credentials are not the first suspect while it is down.`,
        ),
        ...(stop ? [para(`${stop.actor ?? 'Someone'} stopped it at ${formatUtc(stop.time)} (CloudTrail: `, code(stop.name), ').')] : []),
        ...(startCommand ? [para('Start it (RDS starts a stopped DB by itself after 7 days): ', code(startCommand))] : []),
      ),
      evidence: [
        { source: 'RDS', text: `status ${db.status}` },
        ...(relevant ?? []).map((r) => ({ source: 'RDS event', time: r.time.toISOString(), text: r.message })),
        ...(stop ? [{ source: 'CloudTrail', time: stop.time.toISOString(), text: `${stop.name} by ${stop.actor ?? 'an unknown caller'}` }] : []),
      ],
    };
  },
});
