// Member accounts for the deployment (issue 16): `--param accounts=<file>` names a JSON or YAML
// file in the repository with WHYBOT_ACCOUNTS's shape (README "Many accounts and Regions"),
// `--param channelDefaults=<file>` one with WHYBOT_CHANNEL_DEFAULTS's. serverless.yml uses:
//   ${file(./scripts/osls-accounts.cjs):accountsEnv}         → WHYBOT_ACCOUNTS
//   ${file(./scripts/osls-accounts.cjs):channelDefaultsEnv}  → WHYBOT_CHANNEL_DEFAULTS
//   ${file(./scripts/osls-accounts.cjs):resources}           → the sts:AssumeRole grant
// The files are copied as JSON into .build/ (each function's package ships them; Lambda's working
// directory is the package root), not inlined into the environment: Lambda allows 4 KB of
// environment in all, about 40 accounts. The worker and alerts roles may assume exactly the
// listed read roles, and the write roles only when readOnly=false. The runtime validates the
// whole shape again at cold start (src/config.ts); this checks what the grant is made from.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const yaml = require('js-yaml');

const ROOT = path.resolve(__dirname, '..');
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const OUT = { accounts: '.build/accounts.json', channelDefaults: '.build/channel-defaults.json' };
/** the functions that assume member-account roles (the slack function only hands off) */
const ASSUMING_ROLES = ['WorkerRole', 'AlertsRole'];

function load(param, file) {
  const full = path.resolve(ROOT, file);
  let data;
  try {
    const text = fs.readFileSync(full, 'utf8');
    data = /\.ya?ml$/i.test(file) ? yaml.load(text, { filename: file }) : JSON.parse(text);
  } catch (err) {
    throw new Error(`--param ${param}=${file}: cannot read it (${String(err.message).split('\n')[0]})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`--param ${param}=${file}: not an object keyed by ${param === 'accounts' ? 'account alias' : 'channel id'}`);
  return data;
}

function accountsOf(file) {
  const accounts = load('accounts', file);
  const names = Object.keys(accounts);
  if (names.length === 0) throw new Error(`--param accounts=${file}: names no account`);
  for (const [alias, a] of Object.entries(accounts)) {
    for (const key of ['roleArn', 'writeRoleArn'])
      if ((key === 'roleArn' || a?.[key] !== undefined) && !ROLE_ARN.test(String(a?.[key])))
        throw new Error(`--param accounts=${file}: ${alias}.${key} must be an IAM role ARN (arn:aws:iam::123456789012:role/name)`);
    if (!Array.isArray(a.regions) || a.regions.length === 0) throw new Error(`--param accounts=${file}: ${alias}.regions must name at least one Region`);
  }
  return accounts;
}

/** Writes `data` as JSON where the packages pick it up, or removes a stale copy; returns the env value. */
function ship(out, data) {
  const target = path.join(ROOT, out);
  if (data === undefined) {
    fs.rmSync(target, { force: true });
    return '';
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, JSON.stringify(data));
  return out;
}

const param = async (resolveVariable, name) => String((await resolveVariable(`param:${name}`)) ?? '').trim();

module.exports = {
  async accountsEnv({ resolveVariable }) {
    const file = await param(resolveVariable, 'accounts');
    return ship(OUT.accounts, file ? accountsOf(file) : undefined);
  },
  async channelDefaultsEnv({ resolveVariable }) {
    const file = await param(resolveVariable, 'channelDefaults');
    return ship(OUT.channelDefaults, file ? load('channelDefaults', file) : undefined);
  },
  async resources({ resolveVariable }) {
    const file = await param(resolveVariable, 'accounts');
    if (!file) return { Resources: {} };
    const stage = await resolveVariable('sls:stage');
    const readOnly = (await param(resolveVariable, 'readOnly')) !== 'false';
    const accounts = Object.values(accountsOf(file));
    const readRoles = [...new Set(accounts.map((a) => a.roleArn))].sort();
    const writeRoles = readOnly ? [] : [...new Set(accounts.map((a) => a.writeRoleArn).filter(Boolean))].filter((r) => !readRoles.includes(r)).sort();
    return {
      Resources: {
        MemberAccountRolesPolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: `whybot-${stage}-member-accounts`,
            Roles: ASSUMING_ROLES.map((Ref) => ({ Ref })),
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Sid: 'AssumeMemberReadRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: readRoles },
                ...(writeRoles.length ? [{ Sid: 'AssumeMemberWriteRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: writeRoles }] : []),
              ],
            },
          },
        },
      },
    };
  },
};
