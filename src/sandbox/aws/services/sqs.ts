/**
 * Amazon SQS (awsJson1_0, target prefix "AmazonSQS", signing name "sqs"): SendMessage, as
 * whybot uses it — a delayed message that stands in for a timer. Nothing consumes the queue:
 * every accepted message is recorded in `AwsDouble.sqsMessages` (body, DelaySeconds, when it
 * becomes visible on the double's clock), and a test delivers it to the consumer itself, as
 * Lambda's event source mapping would.
 *
 * As SQS checks them: DelaySeconds is an integer 0–900 (`InvalidParameterValue` otherwise),
 * the body is at most 262,144 bytes, a QueueUrl must name an account and a queue
 * (`https://…/<12-digit account>/<name>`; any such queue exists here), and the answer carries
 * MD5OfMessageBody, which the SDK checks. Errors carry `x-amzn-query-error`, as SQS's JSON
 * protocol does for its query-compatible codes.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../errors.js';
import { randomUUID } from '../ids.js';
import { Json11Protocol } from '../protocols/json11.js';
import { ParamReader } from './params.js';
import type { OperationContext, ServiceModule, SqsMessage } from './types.js';

const sqsError = (code: string, message: string, status = 400) => new AwsError(code, message, status, { headers: { 'x-amzn-query-error': `${code};${status >= 500 ? 'Receiver' : 'Sender'}` } });

const protocol = new Json11Protocol({
  version: '1.0',
  messageKey: 'message',
  errors: {
    accessDenied: (message) => sqsError('AccessDenied', message, 403),
    throttling: () => sqsError('RequestThrottled', 'Rate exceeded'),
    internal: () => sqsError('InternalError', 'We encountered an internal error. Please try again.', 500),
    missingParameter: (name) => sqsError('MissingParameter', `The request must contain the parameter ${name}.`),
    invalidParameter: (message) => sqsError('InvalidParameterValue', message),
  },
});

export const MAX_DELAY_SECONDS = 900;
export const MAX_BODY_BYTES = 262_144;
const QUEUE_URL = /^https?:\/\/[^/]+\/(\d{12})\/([\w-]{1,80}(?:\.fifo)?)$/;

function sendMessage(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const queueUrl = p.str('QueueUrl', true);
  const body = p.str('MessageBody', true);
  const raw = ctx.params.DelaySeconds;
  const delaySeconds = raw === undefined || raw === null ? 0 : Number(raw);
  if (!QUEUE_URL.test(queueUrl)) throw sqsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS)
    throw sqsError('InvalidParameterValue', `Value ${String(raw)} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_BODY_BYTES) throw sqsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_BODY_BYTES} bytes.`);
  const message: SqsMessage = {
    messageId: randomUUID(),
    queueUrl,
    body,
    delaySeconds,
    at: ctx.now.getTime(),
    visibleAt: ctx.now.getTime() + delaySeconds * 1000,
  };
  ctx.sqs.messages.push(message);
  return { MessageId: message.messageId, MD5OfMessageBody: createHash('md5').update(body, 'utf8').digest('hex') };
}

export const sqs: ServiceModule = {
  signingName: 'sqs',
  protocol,
  operations: { SendMessage: sendMessage },
  iamResource: (_operation, params) => {
    const m = QUEUE_URL.exec(String(params.QueueUrl ?? ''));
    return m ? `arn:aws:sqs:*:${m[1]}:${m[2]}` : '*';
  },
};
