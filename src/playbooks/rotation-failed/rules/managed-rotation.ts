// RDS (or another service) rotates the secret itself: there is no function, no log to read.
import { code, para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'managed-rotation',
  severity: 'info',
  summary: 'The secret is rotated by the service that owns it (managed rotation): there is no rotation function to inspect',
  needs: ['secret'],
  remediations: [],
  apply(e) {
    const s = e.secret;
    if (!s?.owningService || s.rotationLambdaArn) return undefined;
    const db = e.db?.db.id;
    return {
      data: { secret: s.name, owner: s.owningService, pending: s.pendingVersion === true, ...(db ? { db } : {}) },
      severity: s.pendingVersion ? 'warning' : 'info',
      title: `Secret ${s.name} is rotated by ${s.owningService}${s.pendingVersion ? '; its last rotation did not finish (a version is left AWSPENDING)' : ''}`,
      detail: rich(
        para(
          `${s.owningService} rotates this secret itself (managed rotation): there is no Lambda function, log or network path of yours to check. `,
          s.owningService === 'rds' ? 'RDS records the password change in its events; ' : '',
          db ? 'to see who still holds the old password, run ' : 'to see who holds the old password, run ',
          code(`/why-db-down${db ? ` ${db}` : ''}`),
          '.',
        ),
      ),
      evidence: [{ source: 'Secrets Manager', text: `OwningService: ${s.owningService}; no RotationLambdaARN${s.pendingVersion ? '; a version labelled AWSPENDING only' : ''}` }],
    };
  },
});
