// The AWS double's SQS (AWS JSON 1.0), with the REAL SDK v3 client: SendMessage is recorded
// with its delay, SQS's own limits are enforced (DelaySeconds 0–900, a 256 KiB body), and the
// SDK's MD5 check of the body passes. whybot's adapter (src/aws/sqs.ts) against it.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { delaySecondsFor, sendDelayed, SQS_MAX_BODY_BYTES } from '../src/aws/sqs.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { loadScenario } from '../src/sandbox/scenario.js';
import { failure, startFor, T0 } from './helpers/aws-double.js';

const QUEUE = 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/whybot-ci-verify';

let aws: AwsDouble | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

async function start() {
  aws = await startFor(await loadScenario('incident-003'));
  return { aws, client: new SQSClient({ useQueueUrlAsEndpoint: false, maxAttempts: 1 }) };
}

describe('SQS SendMessage', () => {
  it('records the message with its delay and when it becomes visible; the SDK’s MD5 check passes', async () => {
    const { aws, client } = await start();
    const out = await client.send(new SendMessageCommand({ QueueUrl: QUEUE, MessageBody: '{"kind":"verify"}', DelaySeconds: 30 }));
    expect(out.MessageId).toBe(aws.sqsMessages[0]!.messageId);
    expect(aws.sqsMessages).toEqual([expect.objectContaining({ queueUrl: QUEUE, body: '{"kind":"verify"}', delaySeconds: 30 })]);
    const m = aws.sqsMessages[0]!;
    expect(m.visibleAt - m.at).toBe(30_000);
    expect(m.at).toBeGreaterThanOrEqual(T0.getTime());
    expect(aws.calls.at(-1)).toMatchObject({ service: 'sqs', operation: 'SendMessage', status: 200 });
  });

  it('DelaySeconds outside 0–900 → InvalidParameterValue, nothing recorded', async () => {
    const { aws, client } = await start();
    for (const DelaySeconds of [901, -1]) {
      const f = await failure(client.send(new SendMessageCommand({ QueueUrl: QUEUE, MessageBody: 'x', DelaySeconds })));
      expect(f).toMatchObject({ name: 'InvalidParameterValue', status: 400, fault: 'client' });
      expect(f.message).toBe(`Value ${DelaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
    }
    await client.send(new SendMessageCommand({ QueueUrl: QUEUE, MessageBody: 'x', DelaySeconds: 900 }));
    expect(aws.sqsMessages.map((m) => m.delaySeconds)).toEqual([900]);
  });

  it('a body over 256 KiB → InvalidParameterValue; exactly 256 KiB is accepted', async () => {
    const { aws, client } = await start();
    const f = await failure(client.send(new SendMessageCommand({ QueueUrl: QUEUE, MessageBody: 'x'.repeat(SQS_MAX_BODY_BYTES + 1) })));
    expect(f).toMatchObject({ name: 'InvalidParameterValue', status: 400 });
    expect(f.message).toMatch(/Message must be shorter than 262144 bytes/);
    await client.send(new SendMessageCommand({ QueueUrl: QUEUE, MessageBody: 'x'.repeat(SQS_MAX_BODY_BYTES) }));
    expect(aws.sqsMessages).toHaveLength(1);
  });

  it('a QueueUrl that names no queue → QueueDoesNotExist', async () => {
    const { client } = await start();
    const f = await failure(client.send(new SendMessageCommand({ QueueUrl: 'https://sqs.ap-northeast-1.amazonaws.com/not-a-queue', MessageBody: 'x' })));
    expect(f.name).toBe('QueueDoesNotExist');
  });

  it('sendDelayed (src/aws/sqs.ts): JSON body, whole seconds rounded up, never over 15 minutes', async () => {
    const { aws, client } = await start();
    expect([0, 1, 999, 1_000, 1_001, 3_600_000].map(delaySecondsFor)).toEqual([0, 1, 1, 1, 2, 900]);
    await sendDelayed(client, QUEUE, { kind: 'verify', write: 'write:n1', attempt: 1 }, delaySecondsFor(15_000));
    expect(aws.sqsMessages.map((m) => [JSON.parse(m.body), m.delaySeconds])).toEqual([[{ kind: 'verify', write: 'write:n1', attempt: 1 }, 15]]);
    aws.inject({ service: 'sqs', operation: 'SendMessage', kind: 'AccessDenied' });
    await expect(sendDelayed(client, QUEUE, {}, 0)).rejects.toMatchObject({ iamAction: 'sqs:SendMessage' });
  });
});
