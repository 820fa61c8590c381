// What the Lambda end-to-end tests share: the DynamoDB table (dynalite on loopback, behind
// AWS_ENDPOINT_URL_DYNAMODB), the doubles and environment around the handlers, and the API
// Gateway HTTP API event around a Slack request.
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { AwsDouble } from '../../src/sandbox/aws/server.js';
import { startSlackDouble, type SlackDouble } from '../../src/sandbox/slack/server.js';
import { BOT_TOKEN, lambdaWorld } from './harness.js';

/** Starts dynalite with whybot's table (pk, sk) and points the DynamoDB client at it. */
export async function startTable(tableName: string): Promise<{ close(): Promise<void> }> {
  const ddb = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => ddb.listen(0, '127.0.0.1', () => resolve()));
  process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${(ddb.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ region: process.env.AWS_REGION! });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }),
  );
  client.destroy();
  return { close: () => new Promise<void>((resolve) => ddb.close(() => resolve())) };
}

/** An API Gateway HTTP API (payload 2.0) event for a POST to /slack/events. */
export function apiGatewayEvent(body: string, headers: Record<string, string>) {
  return {
    version: '2.0',
    routeKey: 'POST /slack/events',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    requestContext: { http: { method: 'POST', path: '/slack/events', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot' }, stage: '$default', requestId: 'r' },
    body,
    isBase64Encoded: false,
  };
}

/** What the Lambda handlers run against in the e2e tests: SSM and the rest (the AWS double), the table (dynalite), Slack (the double). */
export interface LambdaStack {
  aws: AwsDouble;
  slack: SlackDouble;
  /** between tests: no faults, no recorded calls, invocations or Slack messages */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts the doubles and sets the functions' environment (as serverless.yml does, `env` on top);
 * import the handlers after this, so their cold start reads it.
 */
export async function startLambdaStack(prefix: string, worker: string, tableName: string, env: Record<string, string> = {}): Promise<LambdaStack> {
  const slack = await startSlackDouble({ botToken: BOT_TOKEN });
  const { aws } = await lambdaWorld(prefix, worker);
  const table = await startTable(tableName);
  Object.assign(process.env, {
    WHYBOT_SSM_PREFIX: prefix,
    WHYBOT_TABLE: tableName,
    WHYBOT_WORKER_FUNCTION: worker,
    WHYBOT_RESPONDERS: 'U0ALICE',
    WHYBOT_LOG_LEVEL: 'silent',
    WHYBOT_ALERT_CHANNEL: 'C0ALERTS',
    SLACK_API_URL: slack.url,
    ...env,
  });
  return {
    aws,
    slack,
    reset() {
      aws.clearFaults();
      aws.reset();
      aws.invocations.length = 0;
      slack.reset();
    },
    async close() {
      await aws.close();
      await slack.close();
      await table.close();
    },
  };
}
