// The deployment's member-account grant (scripts/osls-accounts.cjs) refuses a file it cannot
// make a least-privilege grant from, naming the field, before anything is packaged.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

type Resolver = (o: { resolveVariable: (v: string) => Promise<unknown> }) => Promise<{ Resources: Record<string, { Properties: { PolicyDocument: { Statement: { Resource: string[] }[] } } }> }>;
const accounts = createRequire(import.meta.url)('../scripts/osls-accounts.cjs') as { resources: Resolver };

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

  it('grants the read roles, and the write roles only when writes are allowed', async () => {
    const f = file('ok.yml', 'a:\n  roleArn: arn:aws:iam::222222222222:role/r\n  regions: [us-east-1]\n  writeRoleArn: arn:aws:iam::222222222222:role/w\n');
    const grantsOf = async (readOnly: string) =>
      Object.values((await accounts.resources(resolver({ accounts: f, readOnly }))).Resources).flatMap((r) => r.Properties.PolicyDocument.Statement.flatMap((s) => s.Resource));
    expect(await grantsOf('true')).toEqual(['arn:aws:iam::222222222222:role/r']);
    expect(await grantsOf('false')).toEqual(['arn:aws:iam::222222222222:role/r', 'arn:aws:iam::222222222222:role/w']);
  });

  it.each([
    ['a role ARN that is not one', 'a:\n  roleArn: arn:aws:iam::2222:user/x\n  regions: [us-east-1]\n', /a\.roleArn must be an IAM role ARN/],
    ['a write role ARN that is not one', 'a:\n  roleArn: arn:aws:iam::222222222222:role/r\n  regions: [us-east-1]\n  writeRoleArn: "*"\n', /a\.writeRoleArn must be an IAM role ARN/],
    ['no Regions', 'a:\n  roleArn: arn:aws:iam::222222222222:role/r\n', /a\.regions must name at least one Region/],
    ['a list instead of a map', '- a\n', /not an object keyed by account alias/],
    ['no account', '{}\n', /names no account/],
    ['YAML that does not parse', 'a: [\n', /cannot read it/],
  ])('%s: refused, naming the file and field', async (_, text, message) => {
    const f = file(`bad-${Math.random()}.yml`, text);
    await expect(accounts.resources(resolver({ accounts: f, readOnly: 'false' }))).rejects.toThrow(message);
  });

  it('a file that is not there: refused, naming it', async () => {
    await expect(accounts.resources(resolver({ accounts: path.join(dir, 'missing.yml') }))).rejects.toThrow(/--param accounts=.*missing\.yml: cannot read it/);
  });
});
