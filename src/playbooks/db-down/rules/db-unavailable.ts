// The database itself is down (stopped, failed, out of storage…): credentials come second.
import { code, para, rich } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import { rule } from '../evidence.js';
import { NOTABLE_RDS_EVENT, TRANSITIONAL, UP_STATUSES } from '../facts.js';

export default rule({
  id: 'db-unavailable',
  severity: 'critical',
  summary: 'The DB cluster or instance is not in a status that accepts connections (a warning while modifying)',
  needs: ['db'],
  remediations: [],
  apply(e) {
    const { db } = e;
    if (!db || UP_STATUSES.has(db.status)) return undefined;
    const relevant = e.rdsEvents?.filter((r) => NOTABLE_RDS_EVENT.test(r.message) || /stop|fail|storage|inaccessible/i.test(r.message));
    const last = relevant?.at(-1);
    const since = last ? `since ${formatUtc(last.time)} (RDS: ${last.message})` : `since before the last ${e.input.hours} h`;
    const transitional = TRANSITIONAL.has(db.status);
    return {
      data: {
        db: db.id,
        kind: db.kind,
        status: db.status,
        transitional,
        ...(last ? { lastEvent: { time: last.time, message: last.message } } : {}),
      },
      ...(transitional ? { severity: 'warning' as const } : {}),
      title: `${db.kind === 'cluster' ? 'DB cluster' : 'DB instance'} ${db.id} is ${db.status}, not available`,
      detail: rich(
        para(
          'The database itself does not accept connections: status is ',
          code(db.status),
          ` ${since}. Credentials are not the first suspect while it is down.`,
        ),
      ),
      evidence: [
        { source: 'RDS', text: `status ${db.status}` },
        ...(relevant ?? []).map((r) => ({ source: 'RDS event', time: r.time.toISOString(), text: r.message })),
      ],
    };
  },
});
