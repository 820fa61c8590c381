// Other DOWNLOAD_SOURCE failures while resolving secret environment variables: the service role
// may not read the secret, the parameter or the KMS key; the secret or parameter does not exist;
// the reference names a JSON key the secret does not have. Say which, and what is missing.
import { code, list, para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { downloadSourceFailure, firstLine, isSecretError, isTimeout, isX509, secretRefs, type SecretRef } from '../facts.js';
import { failureEvidence, project, refText } from '../wording.js';

type Kind = 'access-denied' | 'kms-denied' | 'not-found' | 'json-key' | 'timeout' | 'other';

function classify(m: string): { kind: Kind; action?: string } {
  const action = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z]+)/i.exec(m)?.[1];
  if (/kms:Decrypt|KMS|AccessDeniedException.*kms/i.test(m) && /denied|not authorized/i.test(m)) return { kind: 'kms-denied', action: action ?? 'kms:Decrypt' };
  if (/AccessDenied|not authorized/i.test(m))
    return { kind: 'access-denied', action: action ?? (/ssm|parameter/i.test(m) ? 'ssm:GetParameters' : 'secretsmanager:GetSecretValue') };
  if (/json key|key .*not found|invalid.*key/i.test(m)) return { kind: 'json-key' };
  if (/ResourceNotFound|can't find|cannot find|not found|ParameterNotFound|InvalidParameters/i.test(m)) return { kind: 'not-found' };
  if (isTimeout(m)) return { kind: 'timeout' };
  return { kind: 'other' };
}

const WHAT: Record<Kind, string> = {
  'access-denied': 'the service role may not read it',
  'kms-denied': 'the service role may not decrypt it with its KMS key',
  'not-found': 'it does not exist (name, Region or account)',
  'json-key': 'the reference names a JSON key the secret does not have',
  timeout: 'the service could not be reached in time',
  other: 'CodeBuild could not resolve it',
};

/** The reference the message names, by secret id or parameter name. */
function named(m: string, refs: readonly SecretRef[]): SecretRef | undefined {
  return refs.find((r) => {
    const id = r.service === 'ssm' ? r.reference : (r.reference.startsWith('arn:') ? r.reference.split(':').slice(0, 7).join(':') : r.reference.split(':')[0]!);
    return id !== '' && m.includes(id);
  });
}

export default rule({
  id: 'secret-env-unresolvable',
  severity: 'critical',
  summary: 'DOWNLOAD_SOURCE could not resolve a secret environment variable: access denied (secret, parameter or KMS key), not found, or a wrong JSON key — which, and the missing permission',
  needs: ['builds'],
  remediations: ['codebuild-start-build'],
  apply(e) {
    const f = downloadSourceFailure(e);
    if (!f || isX509(f.message)) return undefined;
    const refs = secretRefs(e);
    if (!isSecretError(f.message) && refs.length === 0) return undefined;
    const { kind, action } = classify(f.message);
    // a timeout with a security-group cause is endpoint-sg-blocks-build's; this one still says what failed
    const ref = named(f.message, refs);
    const name = project(e);
    const role = e.project?.serviceRole;
    return {
      data: { project: name, kind, ...(action ? { action } : {}), ...(ref ? { variable: ref.name, reference: ref.reference } : {}) },
      severity: kind === 'timeout' ? ('warning' as const) : ('critical' as const),
      title: `${name}’s build cannot resolve ${ref ? `${ref.name} (${ref.reference})` : 'a secret environment variable'}: ${WHAT[kind]}`,
      detail: rich(
        para(`DOWNLOAD_SOURCE failed while CodeBuild resolved the build’s secret environment variables: ${firstLine(f.message)}`),
        action && para('Missing permission: ', code(action), role ? ` for the service role ${role}` : ' for the project’s service role', ref ? ` on ${ref.reference.split(':')[0]}` : '', '.'),
        kind === 'json-key' && para('A SECRETS_MANAGER reference is ', code('secret-id:json-key:version-stage:version-id'), '; the json-key must be a top-level key of the secret’s JSON.'),
        kind === 'timeout' && para('See endpoint-sg-blocks-build if whybot found the endpoint’s security group shut.'),
        refs.length > 0 && para('Secrets the build resolves:'),
        refs.length > 0 && list(...refs.map((r) => refText(r))),
      ),
      evidence: failureEvidence(f),
      remediations: [{ id: 'codebuild-start-build', label: 'Start a build', params: { project: name, region: e.input.region } }],
    };
  },
});
