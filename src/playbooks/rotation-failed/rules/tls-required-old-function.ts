// Incident 002: the DB requires TLS and rotation was set up before 2021-12-20, from a
// template that connects without TLS: the DB refuses it.
import { code, para, rich } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import { rule } from '../evidence.js';
import { engineOf, functionNameOf, loginFailure, setUpAt, TLS_SUPPORT_FROM, tlsRequired } from '../facts.js';
import { invocationEvidence } from '../wording.js';

export default rule({
  id: 'tls-required-old-function',
  severity: 'critical',
  summary: 'The DB requires TLS and the rotation function was set up before 2021-12-20 (template without TLS)',
  needs: ['db', 'db-parameters', 'function-setup'],
  remediations: ['rotation-function-recreate'],
  apply(e) {
    const setUp = setUpAt(e);
    const tls = tlsRequired(e);
    if (!tls || !setUp || setUp >= TLS_SUPPORT_FROM || engineOf(e) === 'oracle') return undefined;
    const login = loginFailure(e);
    const db = e.db!.db;
    const fn = functionNameOf(e) ?? 'the rotation function';
    return {
      data: { db: db.id, parameter: tls.parameter, setUpAt: setUp, function: fn, loginFailed: login !== undefined },
      severity: login ? 'critical' : 'warning',
      title: `${db.id} requires TLS and ${fn} (set up ${formatUtc(setUp)}) connects without it`,
      detail: rich(
        para(
          `${db.id} requires encrypted connections (`,
          code(`${tls.parameter} = ${tls.value}`),
          tls.source === 'engine-default' ? ', the engine’s default for this version). ' : '). ',
          `Rotation was set up on ${formatUtc(setUp)}, before 2021-12-20: its template does not use TLS. `,
          'Re-create the rotation function from the current template (the button shows the commands); do not turn TLS off.',
        ),
      ),
      evidence: [
        { source: 'RDS', text: `${db.id}: ${tls.parameter} = ${tls.value} (${tls.source})` },
        { source: 'CloudFormation', time: setUp.toISOString(), text: `stack ${e.setup?.stackName ?? '?'} created (rotation set up)` },
        ...(login ? [invocationEvidence(login)] : []),
      ],
      remediations: e.secret
        ? [{ id: 'rotation-function-recreate', label: 'Show how to re-create the rotation function', params: { secretId: e.secret.arn, functionName: e.fn?.arn ?? e.secret.rotationLambdaArn ?? fn, region: e.input.region, reason: 'tls' } }]
        : [],
    };
  },
});
