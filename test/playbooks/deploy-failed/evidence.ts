// Hand-built deploy-failed evidence for the rule and verdict tests: no AWS double. `evidence()`
// is a stack whose latest deploy went well; `incident001()` is incident 001 §4 (a KMS denial
// first, two cascades, a NAT gateway, two Elastic IPs, a cache and a failed DB cluster left).
import type { StackEvent, StackInfo } from '../../../src/aws/cloudformation.js';
import type { PlaybookResult } from '../../../src/findings.js';
import { applyRules, type AnyRule, type Rule, type RuleOutcome } from '../../../src/playbooks/define.js';
import { latestAttempt, rootCause } from '../../../src/playbooks/deploy-failed/events.js';
import { CHECKS, type CheckId, type DeployFailedEvidence } from '../../../src/playbooks/deploy-failed/evidence.js';

export const NOW = new Date('2026-11-23T12:00:00Z');
export const STACK = 'MyAppStack';
export const REGION = 'ap-northeast-1';
export const KEY_ARN = 'arn:aws:kms:ap-northeast-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
export const ROLE_SESSION = 'arn:aws:sts::123456789012:assumed-role/MyAppStack-CustomRole-1Q2W/session';
export const KMS_REASON = `Received response status [FAILED] from custom resource. Message returned: User: ${ROLE_SESSION} is not authorized to perform: kms:Decrypt on resource: ${KEY_ARN} because no identity-based policy allows the kms:Decrypt action (RequestId: 1)`;

/** A stack event `minute` minutes after 10:00 on the day of NOW. */
export const event = (minute: number, logicalId: string, status: string, reason?: string, type = 'AWS::S3::Bucket', physicalId?: string): StackEvent => ({
  time: new Date(Date.UTC(2026, 10, 23, 10, minute)),
  logicalId,
  type,
  status,
  ...(reason ? { reason } : {}),
  ...(physicalId ? { physicalId } : {}),
});
const stackEvent = (minute: number, status: string, reason?: string) => event(minute, STACK, status, reason, 'AWS::CloudFormation::Stack');

export const stackInfo = (status: string, over: Partial<StackInfo> = {}): StackInfo => ({
  name: STACK,
  id: `arn:aws:cloudformation:${REGION}:123456789012:stack/${STACK}/abc`,
  status,
  parameters: {},
  outputs: {},
  tags: {},
  ...over,
});

/** Every check ok, except those named failed. */
export const checks = (failed: readonly CheckId[] = []) =>
  CHECKS.map((c) => ({ id: c.id, title: c.title, status: failed.includes(c.id) ? ('failed' as const) : ('ok' as const) }));

/** Evidence as gather() leaves it after reading these events (the attempt and its root cause). */
export function withEvents(e: DeployFailedEvidence, events: StackEvent[]): DeployFailedEvidence {
  const attempt = latestAttempt(events, e.input.target);
  const root = rootCause(attempt, e.input.target);
  const { root: _previous, ...rest } = e;
  for (const ev of events) if (ev.physicalId) e.physicalIds.add(ev.physicalId);
  return { ...rest, attempt, ...(root ? { root } : {}) };
}

/** A stack whose latest update went well; nothing left over; every check ok unless `failed`. */
export function evidence(over: Partial<DeployFailedEvidence> = {}, failed: readonly CheckId[] = []): DeployFailedEvidence {
  const base: DeployFailedEvidence = {
    input: { target: STACK, region: REGION, hours: 24 },
    now: NOW,
    stack: stackInfo('UPDATE_COMPLETE'),
    stackNames: [STACK],
    physicalIds: new Set(),
    failedStacks: [],
    addresses: [],
    natGateways: [],
    caches: { clusters: [], groups: [], tags: new Map(), tagsComplete: true },
    dbClusters: [],
    checks: checks(failed),
  };
  return withEvents({ ...base, ...over }, [stackEvent(0, 'UPDATE_IN_PROGRESS', 'User Initiated'), stackEvent(5, 'UPDATE_COMPLETE')]);
}

export const decryptResult = (summary = 'Likely cause: the key policy does not let the role decrypt.'): PlaybookResult => ({
  schemaVersion: 1,
  playbook: 'decrypt-denied',
  target: KEY_ARN,
  region: REGION,
  startedAt: NOW.toISOString(),
  finishedAt: NOW.toISOString(),
  verdict: { severity: 'critical', summary },
  findings: [
    {
      id: 'key-policy-missing-grant',
      severity: 'critical',
      title: 'MyAppStack-CustomRole-1Q2W is denied kms:Decrypt on the key',
      detail: '',
      markup: [],
      evidence: [],
      remediations: [
        { id: 'kms-key-policy-grant', label: 'Let the role use the key', params: { keyArn: KEY_ARN } },
        { id: 'show-cli', label: 'Show CLI commands', params: {} },
      ],
    },
  ],
  checks: [],
  timeline: [],
});

const tags = { 'aws:cloudformation:stack-name': STACK };

/** Incident 001 §4: the first CDK deploy failed on a KMS denial and left its resources behind. */
export function incident001(over: Partial<DeployFailedEvidence> = {}, failed: readonly CheckId[] = []): DeployFailedEvidence {
  const e = evidence(
    {
      stack: stackInfo('ROLLBACK_FAILED'),
      decrypt: decryptResult(),
      natGateways: [{ id: 'nat-1', state: 'available', subnetId: 'subnet-1', vpcId: 'vpc-1', allocationIds: ['eipalloc-held'], tags }],
      addresses: [
        { allocationId: 'eipalloc-free', publicIp: '54.250.10.21', tags },
        { allocationId: 'eipalloc-held', publicIp: '54.250.10.22', associationId: 'eipassoc-1', tags },
      ],
      caches: {
        clusters: [{ id: 'myapp-cache', arn: 'arn:cache:myapp-cache', status: 'available', engine: 'redis', nodeType: 'cache.t3.micro', numNodes: 1 }],
        groups: [],
        tags: new Map([['arn:cache:myapp-cache', tags]]),
        tagsComplete: true,
      },
      dbClusters: [{ kind: 'cluster', id: 'myapp-db', status: 'failed', engine: 'aurora-mysql' }],
      ...over,
    },
    failed,
  );
  return withEvents(e, [
    stackEvent(0, 'CREATE_IN_PROGRESS', 'User Initiated'),
    event(2, 'DbAuroraGetDbPassword', 'CREATE_FAILED', KMS_REASON, 'Custom::AWS'),
    event(2, 'DbCluster', 'CREATE_FAILED', 'Resource creation cancelled', 'AWS::RDS::DBCluster', 'myapp-db'),
    event(2, 'CacheCluster', 'CREATE_FAILED', 'Resource creation cancelled', 'AWS::ElastiCache::CacheCluster'),
    stackEvent(3, 'ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to create: [DbAuroraGetDbPassword, DbCluster, CacheCluster].'),
    stackEvent(9, 'ROLLBACK_FAILED'),
  ]);
}

/** One rule's outcome on the evidence, as definePlaybook would run it. */
export function outcome<Id extends string, D>(rule: Rule<DeployFailedEvidence, Id, D, CheckId>, e: DeployFailedEvidence): RuleOutcome<Id, D> {
  return applyRules([rule as AnyRule<DeployFailedEvidence>], e).outcome(rule.id) as RuleOutcome<Id, D>;
}
