// The rotation function's last lines around a failed rotation, for the alert: the first
// thing incident 002's guide looks at. Redacted at the adapter (aws/logs.ts).
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from '../aws/clients.js';
import { lastLogLines } from '../aws/logs.js';
import type { RotationLogReader } from './rotation-failed-alert.js';

const BEFORE_MS = 30 * 60_000;
const AFTER_MS = 5 * 60_000;
const MAX_LINES = 15;

export function rotationLogReader(awsFor: (region: string) => AwsClients): RotationLogReader {
  return async (functionArn, region, around) => {
    const name = functionArn.slice(functionArn.lastIndexOf(':') + 1);
    const aws = awsFor(region);
    try {
      const lines = await lastLogLines(aws.client('logs', (config) => new CloudWatchLogsClient(config)), {
        logGroupName: `/aws/lambda/${name}`,
        since: new Date(around.getTime() - BEFORE_MS),
        until: new Date(around.getTime() + AFTER_MS),
        max: MAX_LINES,
      });
      if (lines.groupNotFound) return { unavailable: `log group /aws/lambda/${name} does not exist` };
      return { lines: lines.map((l) => ({ time: l.time, message: l.message })) };
    } catch (err) {
      return { unavailable: err instanceof Error ? err.message : String(err) };
    } finally {
      aws.destroy();
    }
  };
}
