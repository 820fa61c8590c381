// Incident 002: PostgreSQL 13+ hashing passwords with scram-sha-256, and a rotation function
// set up before 2021-12-30, which bundles libpq 9 (no SCRAM): it can never log in.
import { code, para, rich } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import { rule } from '../evidence.js';
import { dbParameter, engineMajor, engineOf, functionNameOf, loginFailure, SCRAM_SUPPORT_FROM, setUpAt } from '../facts.js';
import { invocationEvidence } from '../wording.js';

export default rule({
  id: 'scram-unsupported',
  severity: 'critical',
  summary: 'PostgreSQL 13+ with password_encryption=scram-sha-256 and a rotation function set up before 2021-12-30 (libpq without SCRAM)',
  needs: ['db', 'db-parameters', 'function-setup'],
  remediations: ['rotation-function-recreate'],
  apply(e) {
    const major = engineMajor(e);
    const setUp = setUpAt(e);
    const encryption = dbParameter(e, 'password_encryption');
    if (engineOf(e) !== 'postgres' || major === undefined || major < 13 || !setUp || setUp >= SCRAM_SUPPORT_FROM) return undefined;
    if (encryption?.value.toLowerCase() !== 'scram-sha-256') return undefined;
    const login = loginFailure(e);
    const db = e.db!.db;
    const fn = functionNameOf(e) ?? 'the rotation function';
    return {
      data: { db: db.id, engineVersion: db.engineVersion, setUpAt: setUp, function: fn, loginFailed: login !== undefined },
      severity: login ? 'critical' : 'warning',
      title: `${fn} (set up ${formatUtc(setUp)}) cannot log in to ${db.id} with SCRAM passwords${login ? '' : ' once it tries'}`,
      detail: rich(
        para(
          `${db.id} runs ${db.engine} ${db.engineVersion} and hashes passwords with scram-sha-256 (`,
          code('password_encryption'),
          encryption!.source === 'engine-default' ? ', the engine’s default for this version). ' : ' in its parameter group). ',
          `Rotation was set up on ${formatUtc(setUp)}, before 2021-12-30: the function bundles libpq 9, which cannot do SCRAM. `,
          'Re-create the rotation function from the current template (the button shows the commands). ',
          'To confirm by hand: download the function’s bundle and run ',
          code('readelf -a libpq.so.5 | grep RUNPATH'),
          ' — PostgreSQL-9.4.x means no SCRAM.',
        ),
      ),
      evidence: [
        { source: 'RDS', text: `${db.id}: ${db.engine} ${db.engineVersion}; password_encryption = ${encryption!.value} (${encryption!.source})` },
        { source: 'CloudFormation', time: setUp.toISOString(), text: `stack ${e.setup?.stackName ?? '?'} created (rotation set up)` },
        ...(login ? [invocationEvidence(login)] : []),
      ],
      remediations: e.secret
        ? [{ id: 'rotation-function-recreate', label: 'Show how to re-create the rotation function', params: { secretId: e.secret.arn, functionName: e.fn?.arn ?? e.secret.rotationLambdaArn ?? fn, region: e.input.region, reason: 'scram' } }]
        : [],
    };
  },
});
