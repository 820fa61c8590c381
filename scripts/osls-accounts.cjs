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
/** the functions that assume member-account roles to read (the slack function only hands off) */
const READING_ROLES = ['WorkerRole', 'AlertsRole'];

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

// The same shapes as src/config.ts checks at cold start: a typo stops the package here rather
// than every function at its first start.
const REGION_CODE = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;
const ALIAS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const ACCOUNT_KEYS = ['roleArn', 'regions', 'externalId', 'writeRoleArn'];

function accountsOf(file) {
  const accounts = load('accounts', file);
  const bad = (why) => {
    throw new Error(`--param accounts=${file}: ${why}`);
  };
  if (Object.keys(accounts).length === 0) bad('names no account');
  for (const [alias, a] of Object.entries(accounts)) {
    if (!ALIAS.test(alias)) bad(`"${alias}": an account alias is letters, digits, ".", "_" or "-"`);
    if (!a || typeof a !== 'object' || Array.isArray(a)) bad(`${alias} must be an object with roleArn and regions`);
    for (const key of Object.keys(a)) if (!ACCOUNT_KEYS.includes(key)) bad(`${alias}.${key} is not a known key (${ACCOUNT_KEYS.join(', ')})`);
    for (const key of ['roleArn', 'writeRoleArn'])
      if ((key === 'roleArn' || a[key] !== undefined) && !ROLE_ARN.test(String(a[key]))) bad(`${alias}.${key} must be an IAM role ARN (arn:aws:iam::123456789012:role/name)`);
    if (!Array.isArray(a.regions) || a.regions.length === 0) bad(`${alias}.regions must name at least one Region`);
    a.regions.forEach((r, i) => REGION_CODE.test(String(r)) || bad(`${alias}.regions.${i} must be a Region code such as us-east-1`));
  }
  return accounts;
}

function channelDefaultsOf(file, accounts) {
  const defaults = load('channelDefaults', file);
  const bad = (why) => {
    throw new Error(`--param channelDefaults=${file}: ${why}`);
  };
  for (const [channel, d] of Object.entries(defaults)) {
    if (!CHANNEL_ID.test(channel)) bad(`"${channel}": keys must be channel ids (C…), not names`);
    if (!d || typeof d !== 'object' || Array.isArray(d)) bad(`${channel} must be an object with account and/or region`);
    for (const key of Object.keys(d)) if (!['account', 'region'].includes(key)) bad(`${channel}.${key} is not a known key (account, region)`);
    if (d.region !== undefined && !REGION_CODE.test(String(d.region))) bad(`${channel}.region must be a Region code such as us-east-1`);
    if (d.account !== undefined && !(accounts && Object.hasOwn(accounts, d.account))) bad(`${channel}.account "${d.account}" is not in --param accounts`);
  }
  return defaults;
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
  channelDefaultsOf,
  async accountsEnv({ resolveVariable }) {
    const file = await param(resolveVariable, 'accounts');
    return ship(OUT.accounts, file ? accountsOf(file) : undefined);
  },
  async channelDefaultsEnv({ resolveVariable }) {
    const file = await param(resolveVariable, 'channelDefaults');
    const accounts = await param(resolveVariable, 'accounts');
    return ship(OUT.channelDefaults, file ? channelDefaultsOf(file, accounts ? accountsOf(accounts) : undefined) : undefined);
  },
  async resources({ resolveVariable }) {
    const file = await param(resolveVariable, 'accounts');
    if (!file) return { Resources: {} };
    const stage = await resolveVariable('sls:stage');
    const readOnly = (await param(resolveVariable, 'readOnly')) !== 'false';
    const accounts = Object.values(accountsOf(file));
    const readRoles = [...new Set(accounts.map((a) => a.roleArn))].sort();
    const writeRoles = readOnly ? [] : [...new Set(accounts.map((a) => a.writeRoleArn).filter(Boolean))].filter((r) => !readRoles.includes(r)).sort();
    // remediations run in the worker; the alerts function writes only to redeploy (autoRedeploy)
    const writing = ['WorkerRole', ...((await param(resolveVariable, 'autoRedeploy')) ? ['AlertsRole'] : [])];
    const policy = (name, roles, sid, resources) => ({
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: `whybot-${stage}-${name}`,
        Roles: roles.map((Ref) => ({ Ref })),
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: resources }] },
      },
    });
    return {
      Resources: {
        MemberAccountReadRolesPolicy: policy('member-accounts-read', READING_ROLES, 'AssumeMemberReadRoles', readRoles),
        ...(writeRoles.length ? { MemberAccountWriteRolesPolicy: policy('member-accounts-write', writing, 'AssumeMemberWriteRoles', writeRoles) } : {}),
      },
    };
  },
};
