// Everything was seen and nothing is wrong: the DB is up and every consumer is newer than the password.
import { para, rich } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import { CHECKS, rule } from '../evidence.js';
import { lastPasswordChange, UP_STATUSES } from '../facts.js';

export default rule({
  id: 'credentials-healthy',
  severity: 'ok',
  summary: 'The DB is available and every running consumer task started after the last password change',
  needs: CHECKS.map((c) => c.id),
  remediations: [],
  apply(e, { findingsSoFar }) {
    if (findingsSoFar.some((f) => f.severity === 'critical')) return undefined;
    const { db, consumers, tasks } = e;
    if (!db || !UP_STATUSES.has(db.status) || !consumers?.length || !tasks) return undefined;
    const change = lastPasswordChange(e);
    const taskCount = [...tasks.values()].reduce((n, t) => n + t.length, 0);
    const services = consumers.map((c) => c.service.name);
    return {
      data: { db: db.id, status: db.status, tasks: taskCount, services, ...(change ? { changedAt: change.time } : {}) },
      title: `${db.id} is ${db.status} and every consumer started after the last password change`,
      detail: rich(
        para(
          `Checked: the ${db.kind} status, RDS events and rotation history of the last ${e.input.hours} h, `,
          `the secret’s rotation settings, and ${taskCount} running tasks of ${services.join(', ')}`,
          change ? ` (all started after ${formatUtc(change.time)}).` : '.',
        ),
      ),
      evidence: [],
    };
  },
});
