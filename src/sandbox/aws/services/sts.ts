/**
 * AWS STS (awsQuery, API version 2011-06-15): AssumeRole and GetCallerIdentity, so whybot can
 * reach other accounts through the double. AssumeRole answers with temporary credentials whose
 * access key names the role's account (`ASIAWB<account id>…`): requests signed with them are
 * served from that account's world (server.ts). Any role ARN in any account may be assumed,
 * except in accounts the double is told to refuse (`denyAssumeRole`): AccessDenied naming
 * sts:AssumeRole, as AWS says it when the role's trust policy or the caller's policy says no.
 */
import { randomBytes } from 'node:crypto';
import { AwsError } from '../errors.js';
import { QueryXmlProtocol } from '../protocols/query-xml.js';
import { ParamReader } from './params.js';
import type { OperationContext, ServiceModule } from './types.js';

const VERSION = '2011-06-15';
const protocol = new QueryXmlProtocol({ version: VERSION, xmlns: `https://sts.amazonaws.com/doc/${VERSION}/` });

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;
/** The access key prefix of credentials the double issued: the account follows. */
export const ISSUED_KEY = /^ASIAWB(\d{12})/;
const SESSION_SECONDS = 3600;

function assumeRole(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const roleArn = p.str('RoleArn', true);
  const session = p.str('RoleSessionName', true);
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw new AwsError('ValidationError', `${roleArn} is invalid`, 400);
  const [, account, role] = m;
  if (ctx.options.accounts.denyAssumeRole.has(account!))
    throw new AwsError('AccessDenied', `User: ${ctx.options.accounts.callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
  const expiration = new Date(ctx.now.getTime() + SESSION_SECONDS * 1000);
  return {
    Credentials: {
      AccessKeyId: `ASIAWB${account}${randomBytes(4).toString('hex').toUpperCase()}`,
      SecretAccessKey: randomBytes(20).toString('base64'),
      SessionToken: randomBytes(32).toString('base64'),
      Expiration: expiration.toISOString(),
    },
    AssumedRoleUser: { AssumedRoleId: `AROAWB${account}:${session}`, Arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}` },
  };
}

function getCallerIdentity(ctx: OperationContext) {
  return { Account: ctx.world.accountId, Arn: ctx.options.accounts.callerArn, UserId: 'AIDAWHYBOTSANDBOX' };
}

export const sts: ServiceModule = {
  signingName: 'sts',
  protocol,
  operations: { AssumeRole: assumeRole, GetCallerIdentity: getCallerIdentity },
};
