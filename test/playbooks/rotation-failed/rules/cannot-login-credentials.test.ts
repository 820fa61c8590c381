import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/cannot-login-credentials.js';
import scram from '../../../../src/playbooks/rotation-failed/rules/scram-unsupported.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, failing, FN_NAME, longLoginFailure, parsed, REGION, requestId, SECRET_ARN, SECRET_NAME, setup, shortLoginFailure } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('cannot-login-credentials');

describe('cannot-login-credentials', () => {
  it('hits on a short login failure, with the get-secret-value commands for AWSCURRENT and AWSPREVIOUS (not run)', () => {
    const out = run(failing(shortLoginFailure()));
    expect(out.hits[0]!.data).toEqual({ function: FN_NAME, secret: SECRET_NAME, durationMs: 900 });
    const f = out.hits[0]!.finding;
    expect(f).toMatchObject({ severity: 'critical', title: `${FN_NAME} reached the database but its login was refused: the credentials in the secret are wrong` });
    for (const stage of ['AWSCURRENT', 'AWSPREVIOUS'])
      expect(f.detail).toContain(`aws secretsmanager get-secret-value --region ${REGION} --secret-id '${SECRET_ARN}' --version-stage ${stage}`);
    expect(f.remediations.map((r) => r.id)).toEqual(['rotate-now']);
  });

  it('steps aside when scram-unsupported explains the refusal', () => {
    const e = failing(shortLoginFailure(), { setup: setup(new Date('2021-06-01T00:00:00Z')) });
    const results = applyRules([scram, rule], e);
    expect(results.hit('scram-unsupported')).toBe(true);
    expect(results.outcome('cannot-login-credentials').status).toBe('miss');
  });

  it('a password in the log line never reaches the finding (the parser redacts)', () => {
    const id = requestId();
    const planted = 'Zq8kLm2Wp9vTx4rA';
    const lines = [
      `START RequestId: ${id} Version: $LATEST`,
      `[INFO]\t2026-12-01T14:00:00.100Z\t${id}\tsetSecret: starting for ${SECRET_ARN}`,
      `[ERROR]\t2026-12-01T14:00:00.200Z\t${id}\tsetSecret: Unable to log into database with password=${planted}`,
      `END RequestId: ${id}`,
      `REPORT RequestId: ${id}\tDuration: 700.00 ms\tBilled Duration: 700 ms`,
    ];
    const out = run(failing(parsed(lines)));
    expect(out.status).toBe('hit');
    const f = out.hits[0]!.finding;
    expect(JSON.stringify(f)).not.toContain(planted);
    expect(f.evidence[0]!.text).toContain('password=[redacted]');
  });

  it('misses on a long login failure (the network) or none', () => {
    expect(run(failing(longLoginFailure())).status).toBe('miss');
    expect(run(evidence()).status).toBe('miss');
  });

  it('is unchecked when the log could not be read', () => {
    expect(run(evidence({ failed: ['logs'], logs: undefined })).status).toBe('unchecked');
  });
});
