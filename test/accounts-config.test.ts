// WHYBOT_ACCOUNTS and WHYBOT_CHANNEL_DEFAULTS: inline JSON or a JSON/YAML file, each problem naming its field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const ACCOUNTS = {
  'payments-prod': { roleArn: 'arn:aws:iam::222222222222:role/whybot-read', regions: ['us-east-1', 'ap-northeast-1'], externalId: 'xid-1' },
  'search-prod': { roleArn: 'arn:aws:iam::333333333333:role/whybot-read', regions: ['eu-west-1'], writeRoleArn: 'arn:aws:iam::333333333333:role/whybot-write' },
};

describe('WHYBOT_ACCOUNTS', () => {
  it('is optional: without it nothing changes', () => {
    const r = loadConfig({});
    expect(r.ok && r.config.accounts).toBe(undefined);
    expect(r.ok && r.config.channelDefaults).toEqual({});
  });

  it('reads inline JSON, taking each account id from its role ARN', () => {
    const r = loadConfig({ WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS), WHYBOT_CHANNEL_DEFAULTS: '{"C0PAY":{"account":"payments-prod","region":"ap-northeast-1"}}' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.accounts!['payments-prod']).toMatchObject({ alias: 'payments-prod', accountId: '222222222222', regions: ['us-east-1', 'ap-northeast-1'], externalId: 'xid-1' });
    expect(r.config.accounts!['search-prod']!.writeRoleArn).toBe('arn:aws:iam::333333333333:role/whybot-write');
    expect(r.config.channelDefaults).toEqual({ C0PAY: { account: 'payments-prod', region: 'ap-northeast-1' } });
  });

  it('reads a YAML or JSON file by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'whybot-accounts-'));
    const yaml = join(dir, 'accounts.yaml');
    writeFileSync(yaml, 'payments-prod:\n  roleArn: arn:aws:iam::222222222222:role/whybot-read\n  regions: [us-east-1]\n');
    const json = join(dir, 'accounts.json');
    writeFileSync(json, JSON.stringify(ACCOUNTS));
    const a = loadConfig({ WHYBOT_ACCOUNTS: yaml });
    expect(a.ok && a.config.accounts!['payments-prod']!.regions).toEqual(['us-east-1']);
    const b = loadConfig({ WHYBOT_ACCOUNTS: json });
    expect(b.ok && Object.keys(b.config.accounts!)).toEqual(['payments-prod', 'search-prod']);
  });

  it('names the field that is wrong', () => {
    const bad = { 'payments-prod': { roleArn: 'arn:aws:iam::2222:role/x', regions: ['tokyo'], extra: 1 } };
    const r = loadConfig({ WHYBOT_ACCOUNTS: JSON.stringify(bad) });
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems).toContainEqual(expect.stringMatching(/^WHYBOT_ACCOUNTS: payments-prod\.roleArn: must be an IAM role ARN/));
    expect(problems).toContainEqual(expect.stringMatching(/^WHYBOT_ACCOUNTS: payments-prod\.regions\.0: must be a Region code/));
    expect(problems).toContainEqual(expect.stringMatching(/^WHYBOT_ACCOUNTS: payments-prod: .*extra/));
  });

  it('says which file it cannot read or parse', () => {
    const r = loadConfig({ WHYBOT_ACCOUNTS: '/nonexistent/accounts.yaml' });
    expect(!r.ok && r.problems[0]).toMatch(/^WHYBOT_ACCOUNTS: cannot read \/nonexistent\/accounts\.yaml/);
    const j = loadConfig({ WHYBOT_ACCOUNTS: '{"a":' });
    expect(!j.ok && j.problems[0]).toMatch(/^WHYBOT_ACCOUNTS: not valid JSON/);
  });

  it('checks channel defaults against the accounts', () => {
    const r = loadConfig({ WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS), WHYBOT_CHANNEL_DEFAULTS: '{"C0PAY":{"account":"payments-dev"}}' });
    expect(!r.ok && r.problems).toContainEqual(expect.stringMatching(/^WHYBOT_CHANNEL_DEFAULTS: C0PAY\.account: "payments-dev" is not in WHYBOT_ACCOUNTS/));
    const named = loadConfig({ WHYBOT_CHANNEL_DEFAULTS: '{"general":{"region":"us-east-1"}}' });
    expect(!named.ok && named.problems).toContainEqual(expect.stringMatching(/^WHYBOT_CHANNEL_DEFAULTS: general: keys must be channel ids/));
  });
});
