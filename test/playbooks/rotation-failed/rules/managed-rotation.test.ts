import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/managed-rotation.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, SECRET_NAME, secret } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('managed-rotation');
const managed = (pendingVersion: boolean) => secret({ owningService: 'rds', rotationLambdaArn: undefined, pendingVersion });

describe('managed-rotation', () => {
  it('hits for a secret RDS rotates itself; a warning when its rotation did not finish', () => {
    const out = run(evidence({ secret: managed(true), fn: undefined, logs: undefined }));
    expect(out.hits[0]!.data).toEqual({ secret: SECRET_NAME, owner: 'rds', pending: true, db: 'orders-db' });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'warning', title: `Secret ${SECRET_NAME} is rotated by rds; its last rotation did not finish (a version is left AWSPENDING)` });
    expect(out.hits[0]!.finding.detail).toContain('/why-db-down orders-db');
    expect(run(evidence({ secret: managed(false) })).hits[0]!.finding.severity).toBe('info');
  });

  it('misses for a Lambda-rotated secret', () => {
    expect(run(evidence()).status).toBe('miss');
  });

  it('is unchecked when the secret could not be described', () => {
    expect(run(evidence({ failed: ['secret'], secret: undefined })).status).toBe('unchecked');
  });
});
