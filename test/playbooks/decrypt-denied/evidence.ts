// Hand-built decrypt-denied evidence for the rule and verdict tests: incident 001 §1 + §2 as
// gathered for the stack AppStack, with helpers to make it healthy, keep only some of its
// parts, or fail a check. No AWS double.
import type { StackEvent } from '../../../src/aws/cloudformation.js';
import type { CheckResult } from '../../../src/findings.js';
import { parseKeyPolicy } from '../../../src/key-policy.js';
import type { Denial } from '../../../src/playbooks/decrypt-denied/denials.js';
import { CHECKS, type CheckId, type DecryptDeniedEvidence, type KeyFacts } from '../../../src/playbooks/decrypt-denied/evidence.js';
import { parseTarget } from '../../../src/playbooks/decrypt-denied/target.js';

export const ACCOUNT = '123456789012';
export const REGION = 'ap-northeast-1';
export const NOW = new Date('2026-11-30T12:00:00Z');
/** §1: the hand-made key the bootstrap bucket uses; its policy names no CDK role and has no account root */
export const K1_ID = '1f2e3d4c-5b6a-4789-8abc-def012345678';
export const K1 = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${K1_ID}`;
/** §2: the SSM parameters' key; its policy leaves access to IAM (account root) */
export const K2_ID = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d';
export const K2 = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${K2_ID}`;
export const CFN_EXEC = `cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
export const CR_ROLE = 'AppStack-AWS679f53fac002430cb0da5b7982bd2287-Q1W2E3R4T5Y6';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const session = (name: string, s: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${s}`;
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

const rootStatement = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
const adminStatement = { Sid: 'Allow access for Key Administrators', Effect: 'Allow', Principal: { AWS: roleArn('Admin') }, Action: 'kms:*', Resource: '*' };

export function key(id: string, alias: string, statements: object[], manager = 'CUSTOMER'): KeyFacts {
  const policyText = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  return {
    ref: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`,
    info: { id, arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`, manager, state: 'Enabled' },
    aliases: [alias],
    ...(manager === 'CUSTOMER' ? { policyText, policy: parseKeyPolicy(policyText) } : {}),
  };
}

export function denial(role: string, keyArn: string, minutesAgo: number, over: Partial<Denial> = {}): Denial {
  return {
    time: ago(minutesAgo),
    action: 'kms:Decrypt',
    principal: session(role, 'session'),
    principalArn: roleArn(role),
    keyArn,
    reason: 'key-policy',
    source: 'CloudTrail',
    ...over,
  };
}

const PASSWORD_PARAM = '/app/prod/db-password';
const crFailed: StackEvent = {
  time: ago(30),
  logicalId: 'DbAuroraGetDbPassword',
  type: 'Custom::AWS',
  status: 'CREATE_FAILED',
  reason: `Received response status [FAILED] from custom resource. Message returned: User: ${session(CR_ROLE, CR_ROLE)} is not authorized to perform: kms:Decrypt on resource: ${K2} because no identity-based policy allows the kms:Decrypt action`,
  properties: JSON.stringify({ Create: JSON.stringify({ service: 'SSM', action: 'getParameter', parameters: { Name: PASSWORD_PARAM, WithDecryption: true } }) }),
};

const ok = (): CheckResult[] => CHECKS.map((c) => ({ id: c.id, title: c.title, status: 'ok' }));

/** Incident 001 §1 + §2, asked about the stack AppStack. */
export function incident(): DecryptDeniedEvidence {
  const k1 = key(K1_ID, 'alias/s3-managed-key', [adminStatement]);
  const k2 = key(K2_ID, 'alias/app-secrets', [rootStatement, adminStatement]);
  return {
    input: { target: 'AppStack', region: REGION, hours: 24 },
    target: parseTarget('AppStack'),
    now: NOW,
    since: new Date(NOW.getTime() - 24 * 3_600_000),
    accountId: ACCOUNT,
    denials: [
      denial(CFN_EXEC, K1, 50, { viaService: `s3.${REGION}.amazonaws.com` }),
      denial(CFN_EXEC, K1, 40, { viaService: `s3.${REGION}.amazonaws.com` }),
      denial(CR_ROLE, K2, 30, { viaService: `ssm.${REGION}.amazonaws.com`, reason: 'identity-policy', context: PASSWORD_PARAM }),
    ],
    trailRead: true,
    trailTruncated: false,
    trailEventsRead: 40,
    stack: { name: 'AppStack', id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/AppStack/1`, status: 'ROLLBACK_COMPLETE', parameters: {}, outputs: {}, tags: {} },
    stackEvents: [crFailed],
    toolkit: {
      name: 'CDKToolkit',
      id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/CDKToolkit/1`,
      status: 'CREATE_COMPLETE',
      parameters: { FileAssetsBucketKmsKeyId: K1_ID, Qualifier: 'hnb659fds' },
      outputs: {},
      tags: {},
    },
    parameters: [{ name: PASSWORD_PARAM, type: 'SecureString', keyId: K2 }],
    keys: new Map([
      [K1, k1],
      [K1_ID, k1],
      [K2, k2],
    ]),
    simulations: new Map([[`${roleArn(CR_ROLE)}|${K2}`, [{ action: 'kms:Decrypt', resource: K2, decision: 'implicitDeny', missingContext: [] }]]]),
    checks: ok(),
  };
}

/** No denial, the bootstrap bucket on the AWS managed key, the parameter on alias/aws/ssm, the stack fine. */
export function healthy(): DecryptDeniedEvidence {
  const e = incident();
  e.denials = [];
  e.stack = { ...e.stack!, status: 'UPDATE_COMPLETE' };
  e.stackEvents = [];
  e.toolkit!.parameters.FileAssetsBucketKmsKeyId = 'AWS_MANAGED_KEY';
  e.parameters = [{ name: PASSWORD_PARAM, type: 'SecureString', keyId: 'alias/aws/ssm' }];
  e.keys = new Map();
  e.simulations = new Map();
  return e;
}

/** The bootstrap trap set, nothing fallen into it yet: no denial, no failed deploy. */
export function trapOnly(): DecryptDeniedEvidence {
  const e = incident();
  e.denials = [];
  e.stackEvents = [];
  e.parameters = [];
  e.simulations = new Map();
  return e;
}

/** The evidence as gathered when a check failed: its status says so (its part may also be missing). */
export function failing(e: DecryptDeniedEvidence, id: CheckId): DecryptDeniedEvidence {
  e.checks = e.checks.map((c) => (c.id === id ? { ...c, status: 'failed', reason: 'access denied', iamAction: 'x:Y' } : c));
  return e;
}

/** A bare name CloudFormation does not know: taken as a role name. */
export function notAStack(name = 'SomeRole'): DecryptDeniedEvidence {
  const e = incident();
  e.input = { ...e.input, target: name };
  e.target = parseTarget(name);
  delete e.stack;
  delete e.stackEvents;
  e.stackMissing = true;
  return e;
}
