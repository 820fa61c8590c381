// Incident 002: "setSecret: Unable to log into database" after a short invocation: the
// credentials in the secret are wrong. Give the commands to check them by hand — whybot
// never reads the secret's value.
import { code, para, pre, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { LONG_INVOCATION_MS, loginFailure } from '../facts.js';
import { fnName, invocationEvidence, rotateNow } from '../wording.js';

/** Findings that already explain a quick login failure. */
const EXPLAINED_BY = new Set(['scram-unsupported', 'tls-required-old-function']);

export default rule({
  id: 'cannot-login-credentials',
  severity: 'critical',
  summary: 'setSecret cannot log in and the invocation is short: the credentials in the secret are wrong (check AWSCURRENT and AWSPREVIOUS by hand)',
  needs: ['logs'],
  remediations: ['rotate-now'],
  apply(e, { findingsSoFar }) {
    const inv = loginFailure(e);
    if (!inv || (inv.durationMs !== undefined && inv.durationMs >= LONG_INVOCATION_MS)) return undefined;
    if (findingsSoFar.some((f) => EXPLAINED_BY.has(f.id))) return undefined;
    const secret = e.secret?.arn ?? e.input.target;
    const region = e.input.region;
    // SCRAM or TLS (an old function) also fail quickly: say when what would decide them was not read
    const unread = e.checks.filter((c) => (c.id === 'db' || c.id === 'db-parameters' || c.id === 'function-setup') && c.status === 'failed');
    const get = (stage: string) => `aws secretsmanager get-secret-value --region ${region} --secret-id '${secret}' --version-stage ${stage} --query SecretString --output text`;
    return {
      data: { function: fnName(e), secret: e.secret?.name ?? e.input.target, durationMs: inv.durationMs },
      title: `${fnName(e)} reached the database but its login was refused: the credentials in the secret are wrong`,
      detail: rich(
        para(
          `The login failed quickly${inv.durationMs !== undefined ? ` (${(inv.durationMs / 1000).toFixed(1)} s)` : ''}: the DB answered and refused the user or password. `,
          'Someone may have changed the password in the database directly, or edited the secret. Check both versions by hand (whybot does not run these):',
        ),
        pre(`${get('AWSCURRENT')}\n${get('AWSPREVIOUS')}`),
        para(
          'Log in with each (e.g. ',
          code('psql "host=<host> user=<username> dbname=<dbname>"'),
          '). If neither works, reset the password on the DB to the AWSCURRENT one, then retry the rotation.',
        ),
        unread.length > 0
          ? para(
              'Not ruled out: an old rotation function against a database that hashes passwords with SCRAM or requires TLS (also a quick refusal) — ',
              unread.map((c) => `${c.title ?? c.id} could not be read${c.iamAction ? ` (needs ${c.iamAction})` : ''}`).join('; '),
              '.',
            )
          : undefined,
      ),
      evidence: [invocationEvidence(inv)],
      remediations: rotateNow(e),
    };
  },
});
