import { describe, expect, it } from 'vitest';
import secretEnvUnresolvable from '../../../../src/playbooks/build-failed/rules/secret-env-unresolvable.js';
import { build, incident000, outcome } from '../evidence.js';

const failing = (message: string) => incident000({ builds: [build(3, 1, { failedPhase: 'DOWNLOAD_SOURCE', message })] });

describe('secret-env-unresolvable', () => {
  it('hit: access denied names the variable, the secret and the missing permission for the service role', () => {
    const o = outcome(
      secretEnvUnresolvable,
      failing('Secrets Manager Error: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/codebuild-web-app-build-service-role/AWSCodeBuild is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/ci/npm'),
    );
    expect(o.status).toBe('hit');
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).toEqual({ project: 'web-app-build', kind: 'access-denied', action: 'secretsmanager:GetSecretValue', variable: 'NPM_TOKEN', reference: 'prod/ci/npm:token' });
    expect(finding.title).toBe('web-app-build’s build cannot resolve NPM_TOKEN (prod/ci/npm:token): the service role may not read it');
    expect(finding.detail).toContain('Missing permission: secretsmanager:GetSecretValue for the service role arn:aws:iam::123456789012:role/service-role/codebuild-web-app-build-service-role on prod/ci/npm.');
  });

  it('hit: KMS denial, missing secret, wrong JSON key', () => {
    expect(outcome(secretEnvUnresolvable, failing('Secrets Manager Error: AccessDeniedException: Access to KMS is not allowed (kms:Decrypt denied)')).hits[0]!.data).toMatchObject({ kind: 'kms-denied', action: 'kms:Decrypt' });
    expect(outcome(secretEnvUnresolvable, failing("Secrets Manager Error: ResourceNotFoundException: Secrets Manager can't find the specified secret. prod/ci/npm")).hits[0]!.data).toMatchObject({ kind: 'not-found', variable: 'NPM_TOKEN' });
    expect(outcome(secretEnvUnresolvable, failing('Secrets Manager Error: secret key not found: token')).hits[0]!.data).toMatchObject({ kind: 'json-key' });
  });

  it('miss: the x509 error is ca-bundle-missing’s; a failure elsewhere is not about secrets', () => {
    expect(outcome(secretEnvUnresolvable, incident000()).status).toBe('miss');
    expect(outcome(secretEnvUnresolvable, incident000({ builds: [build(3, 1, { failedPhase: 'BUILD', message: 'exit status 1' })] })).status).toBe('miss');
  });

  it('unchecked: without the builds', () => {
    expect(outcome(secretEnvUnresolvable, incident000({}, ['builds'])).status).toBe('unchecked');
  });
});
