// Shared by the AWS double's own tests: a double on a fixed clock, and SDK failures as data.
import { startAwsDouble, type AwsDouble } from '../../src/sandbox/aws/server.js';
import type { Scenario } from '../../src/sandbox/scenario.js';

export const T0 = new Date('2026-11-23T12:00:00.000Z');

/** Starts a double for a scenario and points the SDK's environment at it. */
export async function startFor(scenario: Scenario, extra: { deployDelayMs?: number } = {}): Promise<AwsDouble> {
  const aws = await startAwsDouble({ scenario, now: T0, ...extra });
  process.env.AWS_ENDPOINT_URL = aws.url;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = scenario.region;
  return aws;
}

/** The rejection of a promise, asserted to be an SDK service error. */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined; fault: string }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number }; $fault: string };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode, fault: err.$fault };
  }
  throw new Error('expected the call to fail');
}
