// SQS as a durable timer: a message sent with DelaySeconds is delivered (to the queue's event
// source mapping) no sooner than that, whatever happens to the process that sent it.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

export const SQS_IAM = { sendMessage: iam('sqs:SendMessage') } as const;

/** SQS's own limits on SendMessage: DelaySeconds 0..900, a body of at most 256 KiB. */
export const SQS_MAX_DELAY_SECONDS = 900;
export const SQS_MAX_BODY_BYTES = 262_144;

/** Whole seconds SQS can delay a message for `delayMs` (rounded up, at most 15 minutes). */
export const delaySecondsFor = (delayMs: number): number => Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));

/**
 * The client that schedules: the configured endpoint, not the queue URL's host (the same on
 * AWS; the double in tests), and an answer within seconds: a send that hangs past a
 * verification's next look would leave the sender polling while the message resumes it too.
 */
export function schedulingSqsClient(): SQSClient {
  return new SQSClient({
    region: process.env.AWS_REGION,
    retryMode: 'standard',
    maxAttempts: 2,
    useQueueUrlAsEndpoint: false,
    requestHandler: { requestTimeout: 5_000, connectionTimeout: 2_000 },
  });
}

/** Sends `body` as JSON, delivered after `delaySeconds`; returns the message id. */
export async function sendDelayed(client: SQSClient, queueUrl: string, body: unknown, delaySeconds: number): Promise<{ messageId?: string }> {
  const text = JSON.stringify(body);
  if (Buffer.byteLength(text) > SQS_MAX_BODY_BYTES) throw new Error(`message of ${Buffer.byteLength(text)} bytes is over SQS's ${SQS_MAX_BODY_BYTES}`);
  return awsCall(SQS_IAM.sendMessage, async () => {
    const out = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: text, DelaySeconds: delaySeconds }));
    return out.MessageId ? { messageId: out.MessageId } : {};
  });
}
