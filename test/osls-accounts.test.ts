// The deployment's member-account grant (scripts/osls-accounts.cjs) refuses a file it cannot
// make a least-privilege grant from, naming the field, before anything is packaged.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

type Resolver = (o: { resolveVariable: (v: string) => Promise<unknown> }) => Promise<{ Resources: Record<string, { Properties: { PolicyDocument: { Statement: { Resource: string[] }[] } } }> }>;
const accounts = createRequire(import.meta.url)('../scripts/osls-accounts.cjs') as {
  resources: Resolver;
  channelDefaultsOf: (file: string, accounts?: Record<string, unknown>) => Record<string, unknown>;
};

const dir = mkdtempSync(path.join(tmpdir(), 'whybot-accounts-'));
const file = (name: string, text: string) => {
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};
const resolver = (params: Record<string, string>) => ({
  resolveVariable: async (v: string) => (v === 'sls:stage' ? 'ci' : (params[v.replace(/^param:/, '')] ?? '')),
});

describe('scripts/osls-accounts.cjs', () => {
  it('no --param accounts: no grant at all', async () => {
    expect(await accounts.resources(resolver({}))).toEqual({ Resources: {} });
  });

  it('grants the read roles to worker and alerts; the write roles only when writes are allowed, to alerts only when it may redeploy', async () => {
    const f = file('ok.yml', 'a:\n  roleArn: arn:aws:iam::222222222222:role/r\n  regions: [us-east-1]\n  writeRoleArn: arn:aws:iam::222222222222:role/w\n');
    const grantsOf = async (params: Record<string, string>) =>
      Object.values((await accounts.resources(resolver({ accounts: f, ...params }))).Resources).flatMap((r) => {
        const { Roles, PolicyDocument } = r.Properties as unknown as { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Resource: string[] }[] } };
        return PolicyDocument.Statement.flatMap((s) => s.Resource.map((arn) => `${Roles.map((x) => x.Ref).join('+')} ${arn}`));
      });
    expect(await grantsOf({ readOnly: 'true', autoRedeploy: 'payments/*' })).toEqual(['WorkerRole+AlertsRole arn:aws:iam::222222222222:role/r']);
    expect(await grantsOf({ readOnly: 'false' })).toEqual(['WorkerRole+AlertsRole arn:aws:iam::222222222222:role/r', 'WorkerRole arn:aws:iam::222222222222:role/w']);
    expect(await grantsOf({ readOnly: 'false', autoRedeploy: 'payments/*' })).toEqual([
      'WorkerRole+AlertsRole arn:aws:iam::222222222222:role/r',
      'WorkerRole+AlertsRole arn:aws:iam::222222222222:role/w',
    ]);
  });

  it.each([
    ['a role ARN that is not one', 'a:\n  roleArn: arn:aws:iam::2222:user/x\n  regions: [us-east-1]\n', /a\.roleArn must be an IAM role ARN/],
    ['a write role ARN that is not one', 'a:\n  roleArn: arn:aws:iam::222222222222:role/r\n  regions: [us-east-1]\n  writeRoleArn: "*"\n', /a\.writeRoleArn must be an IAM role ARN/],
    ['no Regions', 'a:\n  roleArn: arn:aws:iam::222222222222:role/r\n', /a\.regions must name at least one Region/],
    ['a Region that is not one', 'a:\n  roleArn: arn:aws:iam::222222222222:role/r\n  regions: [us-east-1, tokyo]\n', /a\.regions\.1 must be a Region code/],
    ['a misspelt key', 'a:\n  roleArn: arn:aws:iam::222222222222:role/r\n  regions: [us-east-1]\n  externalID: x\n', /a\.externalID is not a known key/],
    ['an alias with a space', '"payments prod":\n  roleArn: arn:aws:iam::222222222222:role/r\n  regions: [us-east-1]\n', /"payments prod": an account alias is/],
    ['an account with no value', 'a:\n', /a must be an object with roleArn and regions/],
    ['a list instead of a map', '- a\n', /not an object keyed by account alias/],
    ['no account', '{}\n', /names no account/],
    ['YAML that does not parse', 'a: [\n', /cannot read it/],
  ])('%s: refused, naming the file and field', async (_, text, message) => {
    const f = file(`bad-${Math.random()}.yml`, text);
    await expect(accounts.resources(resolver({ accounts: f, readOnly: 'false' }))).rejects.toThrow(message);
  });

  it('channel defaults: channel ids, known keys, a Region code, an account the accounts file names', () => {
    const known = { prod: {} };
    expect(accounts.channelDefaultsOf(file('cd-ok.yml', 'C0ONCALL: { account: prod, region: us-east-1 }\n'), known)).toEqual({ C0ONCALL: { account: 'prod', region: 'us-east-1' } });
    expect(() => accounts.channelDefaultsOf(file('cd-1.yml', '"#oncall": { region: us-east-1 }\n'), known)).toThrow(/"#oncall": keys must be channel ids/);
    expect(() => accounts.channelDefaultsOf(file('cd-2.yml', 'C0ONCALL: { region: tokyo }\n'), known)).toThrow(/C0ONCALL\.region must be a Region code/);
    expect(() => accounts.channelDefaultsOf(file('cd-3.yml', 'C0ONCALL: { account: dev }\n'), known)).toThrow(/C0ONCALL\.account "dev" is not in --param accounts/);
    expect(() => accounts.channelDefaultsOf(file('cd-4.yml', 'C0ONCALL: { acount: prod }\n'), known)).toThrow(/C0ONCALL\.acount is not a known key/);
  });

  it('a file that is not there: refused, naming it', async () => {
    await expect(accounts.resources(resolver({ accounts: path.join(dir, 'missing.yml') }))).rejects.toThrow(/--param accounts=.*missing\.yml: cannot read it/);
  });
});
