import { describe, expect, it } from 'vitest';
import { parseRotationEvent } from '../src/alerts/events.js';

const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!cluster-abc-AbCdEf';

// Shape of AWS's published sample for a rotation service event via EventBridge.
const published = {
  version: '0',
  id: 'e1c4a9a3-0000-4000-8000-000000000001',
  'detail-type': 'AWS Service Event via CloudTrail',
  source: 'aws.secretsmanager',
  account: '111122223333',
  time: '2025-12-09T02:09:01Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    eventVersion: '1.05',
    userIdentity: { accountId: '111122223333', invokedBy: 'secretsmanager.amazonaws.com' },
    eventTime: '2025-12-09T02:09:01Z',
    eventSource: 'secretsmanager.amazonaws.com',
    eventName: 'RotationSucceeded',
    awsRegion: 'us-east-1',
    sourceIPAddress: 'secretsmanager.amazonaws.com',
    userAgent: 'secretsmanager.amazonaws.com',
    requestParameters: null,
    responseElements: null,
    additionalEventData: { SecretId: ARN },
    requestID: `Rotation-${ARN}-0d5b6f8e-1111-4222-8333-944455556666`,
    eventID: 'a1b2c3d4-0000-4000-8000-000000000002',
    readOnly: false,
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
  },
};

const clone = () => structuredClone(published) as unknown as Omit<typeof published, 'detail'> & { detail: Record<string, unknown> };

describe('rotation events from EventBridge', () => {
  it('reads the secret from additionalEventData.SecretId (AWS sample)', () => {
    const r = parseRotationEvent(published);
    expect(r).toMatchObject({ ok: true, event: { name: 'RotationSucceeded', secretId: ARN, time: '2025-12-09T02:09:01Z' } });
  });

  it.each([
    ['serviceEventDetails.secretId', (d: Record<string, unknown>) => ({ ...d, additionalEventData: null, serviceEventDetails: { secretId: ARN } })],
    ['serviceEventDetails.arn', (d: Record<string, unknown>) => ({ ...d, additionalEventData: null, serviceEventDetails: { arn: ARN } })],
    ['serviceEventDetails.aRN (before Feb 2024)', (d: Record<string, unknown>) => ({ ...d, additionalEventData: null, serviceEventDetails: { aRN: ARN } })],
    ['requestParameters.secretId', (d: Record<string, unknown>) => ({ ...d, additionalEventData: null, requestParameters: { secretId: ARN } })],
    ['only the requestID', (d: Record<string, unknown>) => ({ ...d, additionalEventData: null })],
  ])('reads it from %s', (_where, edit) => {
    const e = clone();
    e.detail = edit(e.detail);
    const r = parseRotationEvent(e);
    expect(r.ok && r.event.secretId).toBe(ARN);
  });

  it('gives the same dedupe key to a duplicate delivery and a different one to the next step', () => {
    const a = parseRotationEvent(published);
    const b = parseRotationEvent({ ...clone(), id: 'another-delivery-id' });
    const started = clone();
    started.detail.eventName = 'RotationStarted';
    const c = parseRotationEvent(started);
    expect(a.ok && b.ok && a.event.dedupeKey === b.event.dedupeKey).toBe(true);
    expect(a.ok && c.ok && a.event.dedupeKey !== c.event.dedupeKey).toBe(true);
  });

  it.each([
    ['an API call event', { ...published, 'detail-type': 'AWS API Call via CloudTrail' }, /detail-type/],
    ['another source', { ...published, source: 'aws.kms' }, /source/],
    ['another event name', { ...published, detail: { ...published.detail, eventName: 'PutSecretValue' } }, /eventName/],
    ['no secret anywhere', { ...published, detail: { ...published.detail, additionalEventData: null, requestID: 'x' } }, /no secret id/],
    ['not an object', 'hello', /event/],
  ])('skips %s with a reason', (_n, raw, reason) => {
    const r = parseRotationEvent(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});
