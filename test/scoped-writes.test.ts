// The remediations ask only for what the deployment's scoped writes allow (serverless.yml,
// custom.remediationWrites): a button AWS would refuse is refused before it is offered.
import { describe, expect, it } from 'vitest';
import { Route53ValidationRecordParams } from '../src/remediations/route53-validation-record.meta.js';

describe('scoped writes, in the actions’ parameters', () => {
  const base = { zoneId: 'Z0123456789ABC', zoneName: 'example.com.', recordValue: '_x.acm-validations.aws.', region: 'us-east-1' };

  it('route53-validation-record: only `_…` names, as route53:ChangeResourceRecordSetsNormalizedRecordNames allows', () => {
    expect(Route53ValidationRecordParams.safeParse({ ...base, recordName: '_abc123.example.com.' }).success).toBe(true);
    for (const recordName of ['www.example.com.', 'example.com.', 'a_b.example.com.']) expect(Route53ValidationRecordParams.safeParse({ ...base, recordName }).success, recordName).toBe(false);
  });
});
