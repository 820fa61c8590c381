// The deploy-failed playbook against the AWS double through the real SDK clients: incident
// 001 §4 must reach what a person reached by hand — the first failure (a KMS denial, handed
// to decrypt-denied), the cascades folded, and the leftovers that break the next deploy —
// and the ec2-release-eip action must release only an unassociated address, once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import type { StackEvent } from '../src/aws/cloudformation.js';
import { PlaybookResultSchema, type PlaybookResult } from '../src/findings.js';
import deployFailed, { rootCause, shortReason } from '../src/playbooks/deploy-failed/index.js';
import { cliCommands } from '../src/remediations/cli-commands.js';
import { ec2ReleaseEip, ReleaseRefused } from '../src/remediations/ec2-release-eip.js';
import { remediations } from '../src/remediations/index.js';
import { actionMetas } from '../src/remediations/metas.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { Fault, Scenario } from '../src/sandbox/scenario.js';
import { executeOnce } from '../src/engine/execute-once.js';
import { slackWriteReporter } from '../src/slack/write-report.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { awsWorld, clientsFor, testConfig } from './helpers/harness.js';

let double: AwsDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const UNASSOCIATED = 'eipalloc-0a1b2c3d4e5f60718';
const HELD_BY_NAT = 'eipalloc-0b2c3d4e5f6071829';
const KEY_ARN = 'arn:aws:kms:ap-northeast-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

async function investigate(
  scenarioName: string,
  opts: { target?: string; faults?: Fault[]; tweak?: (s: Scenario) => void; world?: (w: AwsDouble['world']) => void } = {},
) {
  const { aws, scenario } = await awsWorld(scenarioName, opts.tweak);
  double = aws;
  opts.world?.(aws.world);
  for (const f of opts.faults ?? []) aws.inject(f);
  const clients = clientsFor(scenario.region);
  const internal: unknown[] = [];
  try {
    const result = await deployFailed.run(
      clients,
      { target: opts.target ?? 'MyAppStack', region: scenario.region, hours: 24 },
      { timeoutMs: 5_000, onInternalError: (_id, err) => internal.push(err) },
    );
    expect(internal).toEqual([]);
    return { result: PlaybookResultSchema.parse(result), aws };
  } finally {
    clients.destroy();
  }
}

const ids = (r: PlaybookResult) => r.findings.map((f) => f.id);
const finding = (r: PlaybookResult, id: string) => r.findings.find((f) => f.id === id)!;
const check = (r: PlaybookResult, id: string) => r.checks.find((c) => c.id === id);

describe('deploy-failed on incident 001 §4', () => {
  it('finds the first failure (a KMS denial), folds the cascades and includes decrypt-denied’s verdict', async () => {
    const { result } = await investigate('incident-001-deploy');
    expect(ids(result)).toEqual(['deploy-root-cause', 'leftover-resources']);
    const root = finding(result, 'deploy-root-cause');
    expect(root.severity).toBe('critical');
    expect(root.title).toMatch(/^MyAppStack failed at DbAuroraGetDbPassword \(Custom::AWS\): role MyAppStack-AWS679f53fac002430cb0da5b7982bd2-1Q2W3E4R5T6Y may not kms:Decrypt key 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/);
    // Cascades folded into one line, not listed as causes.
    expect(root.detail).toMatch(/2 later failures are cascades of this one \(folded\): DbCluster, CacheCluster \(Resource creation cancelled\)\./);
    expect(root.evidence.filter((e) => e.source === 'CloudFormation')).toHaveLength(2);
    expect(root.evidence[0]!.text).toMatch(/^DbAuroraGetDbPassword \(Custom::AWS\) CREATE_FAILED: Received response status \[FAILED\]/);
    // decrypt-denied ran on the key the reason names, and its verdict is part of ours.
    expect(check(result, 'decrypt-denied')!.status).toBe('ok');
    const decrypt = root.evidence.find((e) => e.source === 'decrypt-denied');
    expect(decrypt?.text).toMatch(/^(critical|warning): /);
    expect(root.detail).toContain(`decrypt-denied (${KEY_ARN}) says: `);
    expect(result.verdict.summary).toMatch(/^Likely cause: DbAuroraGetDbPassword \(Custom::AWS\) failed first at .* UTC: role .* may not kms:Decrypt key 1a2b3c4d-.* — decrypt-denied: /);
    // Its remediations are offered here, with one show-cli at the end.
    expect(root.remediations.map((r) => r.id)).toContain('kms-key-policy-grant');
    expect(root.remediations.filter((r) => r.id === 'show-cli')).toHaveLength(1);
    expect(root.remediations.at(-1)!.id).toBe('show-cli');
    // decrypt-denied's CloudTrail denial joins the one timeline, in time order.
    expect(result.timeline.some((t) => /decrypt-denied/.test(t.source))).toBe(true);
    const times = result.timeline.map((t) => t.time);
    expect([...times].sort()).toEqual(times);
  });

  it('lists the leftovers tied to the stack, with cost, and offers to release only the unassociated EIP', async () => {
    const { result } = await investigate('incident-001-deploy');
    const left = finding(result, 'leftover-resources');
    expect(left.severity).toBe('warning');
    // NAT ($32.85) + 2 EIPs ($3.65 each) + cache.t3.micro ($12.41); the DB cluster is not priced.
    expect(left.title).toBe('5 leftovers of MyAppStack will break the next deploy (~$52.56/month)');
    expect(left.evidence.map((e) => e.text)).toEqual([
      'stack MyAppStack: ROLLBACK_FAILED',
      'NAT gateway nat-0f1e2d3c4b5a69788: available, ~$32.85/month',
      `Elastic IP ${UNASSOCIATED}: unassociated, ~$3.65/month`,
      `Elastic IP ${HELD_BY_NAT}: associated with nat-0f1e2d3c4b5a69788, ~$3.65/month`,
      'ElastiCache cluster myapp-cache: available, ~$12.41/month',
      'DB cluster myapp-db: failed',
    ]);
    // Matched by tag, or (the untagged DB cluster) by its id in the stack's events.
    expect(left.detail).toMatch(/DB cluster myapp-db — failed \(by stack events\)/);
    expect(left.detail).toMatch(/ElastiCache cluster myapp-cache — available, ~\$12\.41\/month \(by tag\)/);
    // Unrelated resources (other stack, untagged EIP, deleted NAT gateway) are not leftovers.
    for (const other of ['nat-0123456789abcdef0', 'nat-0a9b8c7d6e5f43210', 'legacy-cache', 'prod-db', 'eipalloc-0d4e5f60718293a4b', 'eipalloc-0e5f60718293a4b5c'])
      expect(left.detail).not.toContain(other);
    expect(left.detail).toMatch(/estimate at us-east-1 on-demand prices as of \d{4}-\d\d/);
    expect(left.detail).toMatch(/whybot never deletes data stores/);
    expect(left.remediations).toEqual([
      { id: 'ec2-release-eip', label: 'Release 54.250.10.21', params: { allocationId: UNASSOCIATED, publicIp: '54.250.10.21', region: 'ap-northeast-1' } },
      { id: 'show-cli', label: 'Show CLI commands', params: {} },
    ]);
    expect(result.verdict.summary).toMatch(/5 leftovers of MyAppStack will break the next deploy \(~\$52\.56\/month\)\.$/);
  });

  it('reads each AWS API once; ElastiCache tags one resource at a time; no write', async () => {
    const { aws } = await investigate('incident-001-deploy');
    const count = (op: string) => aws.calls.filter((c) => c.operation === op).length;
    expect(count('DescribeStackEvents')).toBe(1);
    expect(count('DescribeAddresses')).toBe(1);
    expect(count('DescribeNatGateways')).toBe(1);
    expect(count('DescribeCacheClusters')).toBe(1);
    expect(count('ListTagsForResource')).toBe(2);
    expect(count('ReleaseAddress')).toBe(0);
  });

  it('AccessDenied on one check still answers: names the check and its IAM action, keeps the rest', async () => {
    const { result } = await investigate('incident-001-deploy', { faults: [{ service: 'ec2', operation: 'DescribeAddresses', kind: 'AccessDenied' }] });
    expect(check(result, 'elastic-ips')).toMatchObject({ status: 'failed', iamAction: 'ec2:DescribeAddresses' });
    expect(check(result, 'stack-events')!.status).toBe('ok');
    expect(ids(result)).toEqual(['deploy-root-cause', 'leftover-resources']);
    const left = finding(result, 'leftover-resources');
    expect(left.evidence.map((e) => e.text.split(':')[0])).toEqual([
      'stack MyAppStack',
      'NAT gateway nat-0f1e2d3c4b5a69788',
      'ElastiCache cluster myapp-cache',
      'DB cluster myapp-db',
    ]);
    expect(left.remediations).toEqual([]);
    expect(result.verdict.severity).toBe('critical');
    expect(result.verdict.summary).toMatch(/1 check could not run: elastic-ips\.$/);
  });

  it('decrypt-denied’s own failed checks are carried up with their reasons and IAM actions (issue 11 item 8)', async () => {
    const { result } = await investigate('incident-001-deploy', {
      faults: [
        { service: 'kms', operation: 'GetKeyPolicy', kind: 'AccessDenied' },
        { service: 'cloudtrail', operation: 'LookupEvents', kind: 'AccessDenied' },
      ],
    });
    // decrypt-denied itself ran (its verdict is still quoted)…
    const outer = check(result, 'decrypt-denied')!;
    expect(outer.status).toBe('ok');
    expect(outer.reason).toBe('ran, but 2 of its checks could not run (decrypt-denied/kms-denials, decrypt-denied/key-policies)');
    // …but what it could not see is named, right after it, with what would let it see.
    const at = result.checks.indexOf(outer);
    expect(result.checks.slice(at + 1, at + 3)).toEqual([
      expect.objectContaining({ id: 'decrypt-denied/kms-denials', status: 'failed', iamAction: 'cloudtrail:LookupEvents', reason: 'access denied: needs cloudtrail:LookupEvents' }),
      expect.objectContaining({ id: 'decrypt-denied/key-policies', status: 'failed', iamAction: 'kms:GetKeyPolicy', title: expect.stringMatching(/^decrypt-denied: /) }),
    ]);
    expect(result.verdict.summary).toMatch(/2 checks could not run: decrypt-denied\/kms-denials, decrypt-denied\/key-policies\.$/);
  });

  it('without failures inside decrypt-denied, no nested check is added', async () => {
    const { result } = await investigate('incident-001-deploy');
    expect(result.checks.filter((c) => c.id.startsWith('decrypt-denied/'))).toEqual([]);
    expect(check(result, 'decrypt-denied')!.reason).toBeUndefined();
  });

  it('without the stack’s events, the leftovers are still found by their tags', async () => {
    const { result } = await investigate('incident-001-deploy', {
      faults: [{ service: 'cloudformation', operation: 'DescribeStackEvents', kind: 'AccessDenied' }],
    });
    expect(check(result, 'stack-events')).toMatchObject({ status: 'failed', iamAction: 'cloudformation:DescribeStackEvents' });
    expect(ids(result)).toEqual(['leftover-resources']);
    // The untagged DB cluster was only known from the events.
    expect(finding(result, 'leftover-resources').detail).not.toContain('myapp-db');
    expect(result.verdict.summary).toMatch(/could not run: stack-events\.$/);
  });

  it('healthy: the last deploy did not fail, and the stack’s live resources are not leftovers', async () => {
    const { result } = await investigate('deploy-healthy');
    expect(ids(result)).toEqual(['stack-not-failed']);
    expect(result.verdict).toEqual({ severity: 'ok', summary: 'MyAppStack is UPDATE_COMPLETE: its last deploy did not fail.' });
  });

  it('unknown stack: says so and suggests the failed ones', async () => {
    const { result } = await investigate('incident-001-deploy', { target: 'MyAppStak' });
    expect(ids(result)).toEqual(['stack-not-found']);
    expect(finding(result, 'stack-not-found').detail).toBe('Did you mean: MyAppStack?');
    expect(check(result, 'stack-events')).toMatchObject({ status: 'skipped' });
  });

  it('candidates: the stacks whose last deploy failed', async () => {
    const { aws, scenario } = await awsWorld('incident-001-deploy');
    double = aws;
    const clients = clientsFor(scenario.region);
    try {
      const found = await deployFailed.candidates!(clients);
      const c = Array.isArray(found) ? found : found.candidates;
      expect(c.map((x) => x.id)).toEqual(['MyAppStack']);
      expect(c[0]!.description).toMatch(/^ROLLBACK_FAILED, created /);
    } finally {
      clients.destroy();
    }
  });

  it('a failure inside a nested stack is followed into that stack’s events', async () => {
    const { result } = await investigate('incident-001-deploy', {
      tweak: (s) => {
        const top = s.cloudformation.stacks.find((x) => x.name === 'MyAppStack')!;
        const nestedName = 'MyAppStack-DatabaseNestedStackDatabaseNestedStackResource-1ABCDEF';
        const nestedArn = `arn:aws:cloudformation:ap-northeast-1:123456789012:stack/${nestedName}/(set below)`;
        const inner = top.events!.filter((e) => e.logicalId === 'DbAuroraGetDbPassword' || e.logicalId === 'DbCluster');
        top.events = [
          ...top.events!.filter((e) => !inner.includes(e)),
          {
            time: 'now-1h53m',
            logicalId: 'DatabaseNestedStack',
            type: 'AWS::CloudFormation::Stack',
            status: 'CREATE_FAILED',
            physicalId: nestedArn,
            reason: `Embedded stack ${nestedArn} was not successfully created: The following resource(s) failed to create: [DbAuroraGetDbPassword, DbCluster].`,
          },
        ];
        s.cloudformation.stacks.push({
          name: nestedName,
          status: 'ROLLBACK_COMPLETE',
          events: [{ time: 'now-1h56m', logicalId: nestedName, type: 'AWS::CloudFormation::Stack', status: 'CREATE_IN_PROGRESS', reason: 'User Initiated' }, ...inner],
        });
      },
      // The nested stack's ID is the double's: point the parent's event at it.
      world: (w) => {
        const nested = w.cloudformation.stacks.find((x) => x.name.includes('DatabaseNestedStack'))!;
        for (const e of w.cloudformation.stacks.find((x) => x.name === 'MyAppStack')!.events)
          if (e.logicalId === 'DatabaseNestedStack') {
            e.physicalId = nested.id;
            e.reason = e.reason!.replace(/arn:\S+ was/, `${nested.id} was`);
          }
      },
    });
    expect(check(result, 'nested-stack-events')!.status).toBe('ok');
    const root = finding(result, 'deploy-root-cause');
    expect(root.title).toMatch(/^MyAppStack failed at DbAuroraGetDbPassword \(Custom::AWS\)/);
    expect(root.detail).toMatch(/first failure \(nested stack MyAppStack-DatabaseNestedStack\S+\)/);
    expect(root.detail).toMatch(/cascades of this one \(folded\): .*DatabaseNestedStack/);
  });
});

describe('root cause rules', () => {
  const ev = (s: number, logicalId: string, status: string, reason?: string, type = 'AWS::S3::Bucket'): StackEvent => ({
    time: new Date(Date.UTC(2026, 10, 23, 10, 0, s)),
    logicalId,
    type,
    status,
    ...(reason ? { reason } : {}),
  });

  it('a cancellation at the same second is never the root; a later attempt’s events only', () => {
    const events = [
      ev(0, 'App', 'CREATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack'),
      ev(1, 'Old', 'CREATE_FAILED', 'an older attempt'),
      ev(2, 'App', 'ROLLBACK_COMPLETE', undefined, 'AWS::CloudFormation::Stack'),
      ev(10, 'App', 'UPDATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack'),
      ev(20, 'Queue', 'UPDATE_FAILED', 'Resource update cancelled'),
      ev(20, 'Bucket', 'UPDATE_FAILED', 'Bucket policy has invalid principal'),
      ev(21, 'App', 'UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [Bucket, Queue].', 'AWS::CloudFormation::Stack'),
      ev(30, 'Topic', 'DELETE_FAILED', 'rollback trouble'),
    ];
    const attempt = events.slice(3);
    const root = rootCause(attempt, 'App')!;
    expect(root.event.logicalId).toBe('Bucket');
    expect(root.cascades.map((c) => c.logicalId)).toEqual(['Queue']);
    expect(root.kms).toBeUndefined();
  });

  it('shortReason strips custom-resource and handler wrappers', () => {
    expect(shortReason('Resource handler returned message: "Bucket already exists (Service: S3, Status Code: 409, Request ID: X)" (HandlerErrorCode: AlreadyExists)')).toBe(
      'Bucket already exists',
    );
    expect(shortReason('Received response status [FAILED] from custom resource. Message returned: boom (RequestId: 1)')).toBe('boom');
  });
});

describe('ec2-release-eip', () => {
  it('is registered, with a spec, and shows the CLI commands', () => {
    expect(remediations['ec2-release-eip']).toBeDefined();
    expect(actionMetas['ec2-release-eip']!.dangerous).toBe(false);
    const cmds = cliCommands({ id: 'ec2-release-eip', params: { allocationId: UNASSOCIATED, publicIp: '54.250.10.21', region: 'ap-northeast-1' } });
    expect(cmds[1]).toBe(`aws ec2 release-address --region ap-northeast-1 --allocation-id ${UNASSOCIATED}`);
    expect(() => cliCommands({ id: 'ec2-release-eip', params: { allocationId: 'eipalloc-x; rm -rf /', region: 'ap-northeast-1' } })).toThrow();
  });

  it('refuses an associated address without calling ReleaseAddress', async () => {
    const { aws, scenario } = await awsWorld('incident-001-deploy');
    double = aws;
    const clients = clientsFor(scenario.region);
    try {
      await expect(ec2ReleaseEip.execute(clients, { allocationId: HELD_BY_NAT, region: scenario.region })).rejects.toThrow(ReleaseRefused);
      await expect(ec2ReleaseEip.execute(clients, { allocationId: HELD_BY_NAT, region: scenario.region })).rejects.toThrow(/is associated \(eipassoc-0c3d4e5f607182930/);
      expect(aws.calls.filter((c) => c.operation === 'ReleaseAddress')).toHaveLength(0);
      expect(aws.world.ec2.addresses.some((a) => a.allocationId === HELD_BY_NAT)).toBe(true);
    } finally {
      clients.destroy();
    }
  });

  it('releases an unassociated address exactly once, however many times the confirmation arrives, and verifies it', async () => {
    const { aws, scenario } = await awsWorld('incident-001-deploy');
    double = aws;
    const tmp = mkdtempSync(path.join(tmpdir(), 'whybot-eip-'));
    const store = openSqliteStore(path.join(tmp, 'whybot.sqlite'));
    const posted: string[] = [];
    const client = { chat: { postMessage: async (m: { text?: string }) => (posted.push(m.text ?? ''), { ok: true }) } } as unknown as webApi.WebClient;
    const config = testConfig({ AWS_REGION: scenario.region, WHYBOT_VERIFY_INTERVAL_MS: '20', WHYBOT_VERIFY_TIMEOUT_MS: '3000' });
    const params = { allocationId: UNASSOCIATED, publicIp: '54.250.10.21', region: scenario.region };
    try {
      const run = () =>
        executeOnce(
          { action: remediations['ec2-release-eip']!, params, nonce: 'nonce-eip-1', claimTtlSeconds: 900, actor: 'U0ALICE', thread: { channel: 'C0ONCALL', ts: '1.000' } },
          { store, reportWrite: slackWriteReporter({ client, store, config }), awsFor: (region: string) => clientsFor(region), config, owner: 'test-process' },
        );
      const outcomes = await Promise.all([run(), run(), run()]);
      expect(outcomes.sort()).toEqual(['duplicate', 'duplicate', 'ran']);
      expect(aws.calls.filter((c) => c.operation === 'ReleaseAddress')).toHaveLength(1);
      expect(aws.calls.find((c) => c.operation === 'ReleaseAddress')!.params).toMatchObject({ AllocationId: UNASSOCIATED });
      expect(aws.world.ec2.addresses.some((a) => a.allocationId === UNASSOCIATED)).toBe(false);
      expect(posted.some((t) => /released 54\.250\.10\.21/.test(t))).toBe(true);
      expect(posted.some((t) => /DescribeAddresses no longer lists/.test(t))).toBe(true);

      // A later, fresh confirmation finds nothing to release and says so; still one release.
      const clients = clientsFor(scenario.region);
      await expect(ec2ReleaseEip.execute(clients, params)).rejects.toThrow(/no longer exists/);
      clients.destroy();
      expect(aws.calls.filter((c) => c.operation === 'ReleaseAddress')).toHaveLength(1);
    } finally {
      await store.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
