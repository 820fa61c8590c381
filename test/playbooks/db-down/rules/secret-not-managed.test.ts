import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/secret-not-managed.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { redactText } from '../../../../src/redact/index.js';
import { db, evidence } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('secret-not-managed');
const unmanaged = () => evidence({ db: db({ masterUserSecretArn: undefined }), secretId: undefined, secret: undefined, consumers: undefined, tasks: undefined });

describe('secret-not-managed', () => {
  it('hits when RDS manages no secret and none was given', () => {
    const out = run(unmanaged());
    expect(out.hits[0]!.data).toEqual({ db: 'prod-db' });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'info', title: 'The master password of prod-db is not managed by RDS in Secrets Manager' });
  });

  it('says --secret in a way the redaction layer leaves alone (what the CLI prints)', () => {
    const { detail } = run(unmanaged()).hits[0]!.finding;
    expect(detail).toMatch(/--secret/);
    expect(redactText(detail)).toBe(detail);
  });

  it('misses when there is a secret (RDS-managed or --secret)', () => {
    expect(run(evidence()).status).toBe('miss');
  });

  it('is unchecked when the DB could not be described', () => {
    expect(run(evidence({ failed: ['db'], db: undefined, secretId: undefined })).status).toBe('unchecked');
  });
});
