// Accounts for the many-accounts tests (issue 16): the double's scenario account hosts whybot;
// prod-db lives in payments-prod and payments-dr too; search has nothing.
import { MemoryRateGate, useRateGate } from '../../src/platform/rate-gate.js';
import { startAwsDouble, type AwsDouble } from '../../src/sandbox/aws/server.js';
import { loadScenario } from '../../src/sandbox/scenario.js';

export const ACCOUNTS = {
  'payments-prod': { roleArn: 'arn:aws:iam::222222222222:role/whybot-read', regions: ['us-east-1', 'ap-northeast-1'] },
  'payments-dr': { roleArn: 'arn:aws:iam::333333333333:role/whybot-read', regions: ['ap-northeast-1'], writeRoleArn: 'arn:aws:iam::333333333333:role/whybot-write' },
  search: { roleArn: 'arn:aws:iam::444444444444:role/whybot-read', regions: ['eu-west-1'] },
};

/** The scenario's account hosts whybot; prod-db lives in payments-prod and payments-dr too. */
export async function manyAccounts(opts: { denyAssumeRole?: string[] } = {}): Promise<AwsDouble> {
  const home = await loadScenario('incident-003');
  const inAccount = async (accountId: string) => ({ ...(await loadScenario('incident-003')), accountId });
  const aws = await startAwsDouble({ scenario: home, accounts: [await inAccount('222222222222'), await inAccount('333333333333')], ...opts });
  useRateGate(new MemoryRateGate());
  return aws;
}

