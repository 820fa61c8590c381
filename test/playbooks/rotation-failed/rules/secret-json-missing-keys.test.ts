import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/secret-json-missing-keys.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, failing, FN_NAME, missingKey, parsed, requestId, setup } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('secret-json-missing-keys');

describe('secret-json-missing-keys', () => {
  it('hits with the key the log names and the JSON the engine needs', () => {
    const [inv] = missingKey('username');
    const out = run(failing([inv!]));
    expect(out.hits[0]!.data).toEqual({ key: 'username', engine: 'postgres', keys: ['engine', 'host', 'username', 'password'], requestId: inv!.requestId });
    const f = out.hits[0]!.finding;
    expect(f).toMatchObject({ severity: 'critical', title: `The secret’s JSON has no "username" key: ${FN_NAME} stopped at createSecret` });
    expect(f.detail).toContain('"password": <password>');
    expect(f.remediations.map((r) => r.id)).toEqual(['rotate-now']);
  });

  it('alternating users need masterarn too; the key comes from the real log line', () => {
    const id = requestId();
    const lines = [`START RequestId: ${id} Version: $LATEST`, `[ERROR]\t2026-12-01T14:00:00.100Z\t${id}\tKeyError: 'masterarn key is missing from secret JSON'`, `END RequestId: ${id}`];
    const e = failing(parsed(lines), { setup: setup(undefined, 'SecretsManagerRDSPostgreSQLRotationMultiUser-stack') });
    expect(run(e).hits[0]!.data).toMatchObject({ key: 'masterarn', keys: ['engine', 'host', 'username', 'password', 'masterarn'] });
  });

  it('misses when no invocation names a missing key', () => {
    expect(run(evidence()).status).toBe('miss');
  });

  it('is unchecked when the log could not be read', () => {
    expect(run(evidence({ failed: ['logs'], logs: undefined })).status).toBe('unchecked');
  });
});
