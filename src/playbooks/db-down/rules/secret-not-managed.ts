// No RDS-managed secret and none given: the rotation and its consumers were not checked.
import { code, para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'secret-not-managed',
  severity: 'info',
  summary: 'The DB’s master password is not managed by RDS in Secrets Manager and no --secret was given',
  needs: ['db'],
  remediations: [],
  apply(e) {
    if (!e.db || e.secretId) return undefined;
    return {
      data: { db: e.db.id },
      title: `The master password of ${e.db.id} is not managed by RDS in Secrets Manager`,
      // "--secret, by name or ARN," rather than "--secret <name or ARN>": in plain text the
      // redaction layer takes the word after --secret for a credential.
      detail: rich(para('Pass the secret your application reads with ', code('--secret'), ', by name or ARN, to check its rotation and its consumers.')),
      evidence: [],
    };
  },
});
