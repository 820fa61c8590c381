// The build-failed playbook against the AWS double through the real SDK clients: incident 000
// must reach what a person reached by hand — the slim image's missing CA bundle (and why the
// buildspec's ca-certificates install could not help), and the endpoint security group that
// does not admit the VPC — without ever carrying a plaintext environment value.
import { afterEach, describe, expect, it } from 'vitest';
import { PlaybookResultSchema, type PlaybookResult } from '../src/findings.js';
import buildFailed from '../src/playbooks/build-failed/index.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { Fault, Scenario } from '../src/sandbox/scenario.js';
import { collectMrkdwn, findUnescapedSpecials, validateMessage } from '../src/sandbox/slack/block-kit.js';
import { threadMessages, verdictMessage } from '../src/slack/render.js';
import { codebuildImage } from '../src/remediations/codebuild-image.js';
import { codebuildStartBuild } from '../src/remediations/codebuild-start-build.js';
import { cliCommands } from '../src/remediations/cli-commands.js';
import { actionMetas } from '../src/remediations/metas.js';
import { awsWorld, clientsFor } from './helpers/harness.js';

let double: AwsDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function investigate(scenarioName: string, opts: { target?: string; faults?: Fault[]; tweak?: (s: Scenario) => void } = {}) {
  const { aws, scenario } = await awsWorld(scenarioName, opts.tweak);
  double = aws;
  for (const f of opts.faults ?? []) aws.inject(f);
  const clients = clientsFor(scenario.region);
  const internal: unknown[] = [];
  try {
    const result = await buildFailed.run(
      clients,
      { target: opts.target ?? 'web-app-build', region: scenario.region, hours: 24 },
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

describe('build-failed on incident 000', () => {
  it('finds the slim image’s CA bundle first, says why the buildspec cannot help, and the endpoint group second', async () => {
    const { result } = await investigate('incident-000');
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['project', 'ok'],
      ['builds', 'ok'],
      ['network', 'ok'],
    ]);
    expect(ids(result)).toEqual(['ca-bundle-missing', 'endpoint-sg-blocks-build']);
    const ca = finding(result, 'ca-bundle-missing');
    expect(ca.severity).toBe('critical');
    expect(ca.title).toBe('web-app-build’s image node:24.13.0-trixie-slim lacks the CA certificates to verify the endpoint’s TLS certificate: secrets fail in DOWNLOAD_SOURCE');
    expect(ca.evidence[0]!.text).toBe(
      'build #3 FAILED in DOWNLOAD_SOURCE after 2 s: Secrets Manager Error: RequestError: send request failed caused by: Post "https://secretsmanager.ap-northeast-1.amazonaws.com/": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    );
    expect(ca.detail).toMatch(/before the build container runs the buildspec/);
    expect(ca.detail).toContain('• apt-get update && apt-get install -y ca-certificates\n• update-ca-certificates');
    expect(ca.detail).toContain('NPM_TOKEN ← secret prod/ci/npm:token');
    expect(ca.remediations.map((r) => r.label)).toEqual(['Use node:24.13.0-trixie', 'Use aws/codebuild/standard:7.0', 'Start a build']);

    const sg = finding(result, 'endpoint-sg-blocks-build');
    expect(sg.severity).toBe('warning');
    expect(sg.remediations).toEqual([
      {
        id: 'sg-allow-https-from-vpc',
        label: 'Allow 443 from 10.20.0.0/16',
        params: {
          groupId: 'sg-0b1d0000000000a05',
          cidr: '10.20.0.0/16',
          region: 'ap-northeast-1',
          vpcId: 'vpc-0b1d0000000000a00',
          description: 'Secrets Manager endpoint vpce-0b1d0000000000a06',
        },
      },
    ]);
    expect(result.verdict).toMatchObject({ severity: 'critical', cause: 'ca-bundle-missing', subject: 'web-app-build' });
    const times = result.timeline.map((t) => t.time);
    expect([...times].sort()).toEqual(times);
  });

  it('never carries a plaintext environment value (names only), only secret references', async () => {
    const { result } = await investigate('incident-000');
    const json = JSON.stringify(result);
    expect(json).not.toContain('abc123secretvalue');
    expect(json).not.toContain('production');
    expect(json).toContain('prod/ci/npm:token');
  });

  it('reads each AWS API once (endpoints for secretsmanager and ssm in one call) and writes nothing', async () => {
    const { aws } = await investigate('incident-000');
    const count = (op: string) => aws.calls.filter((c) => c.operation === op).length;
    for (const op of ['BatchGetProjects', 'ListBuildsForProject', 'BatchGetBuilds', 'DescribeVpcEndpoints']) expect(count(op), op).toBe(1);
    expect(count('UpdateProject') + count('StartBuild')).toBe(0);
  });

  it('AccessDenied on BatchGetBuilds: the builds check names its IAM action; the network finding still stands', async () => {
    const { result } = await investigate('incident-000', { faults: [{ service: 'codebuild', operation: 'BatchGetBuilds', kind: 'AccessDenied' }] });
    expect(check(result, 'builds')).toMatchObject({ status: 'failed', iamAction: 'codebuild:BatchGetBuilds' });
    expect(check(result, 'project')!.status).toBe('ok');
    expect(ids(result)).toEqual(['endpoint-sg-blocks-build']);
    expect(result.verdict.unchecked).toEqual(['builds']);
    expect(result.verdict.summary).toMatch(/1 check could not run: builds\.$/);
  });

  it('AccessDenied on DescribeVpcEndpoints: the network check names ec2:DescribeVpcEndpoints; the CA finding still stands', async () => {
    const { result } = await investigate('incident-000', { faults: [{ service: 'ec2', operation: 'DescribeVpcEndpoints', kind: 'AccessDenied' }] });
    expect(check(result, 'network')).toMatchObject({ status: 'failed', iamAction: 'ec2:DescribeVpcEndpoints' });
    expect(ids(result)).toEqual(['ca-bundle-missing']);
    expect(result.verdict).toMatchObject({ severity: 'critical', cause: 'ca-bundle-missing', unchecked: ['network'] });
  });

  it('a build message full of mrkdwn specials is escaped in every Slack block', async () => {
    const hostile = 'Secrets Manager Error: <!channel> *bold* _it_ ~x~ `code` <https://evil.example|click> & x509: certificate signed by unknown authority';
    const { result } = await investigate('incident-000', {
      tweak: (s) => {
        for (const b of s.codebuild.projects[0]!.builds!) if (b.message) b.message = hostile;
      },
    });
    expect(ids(result)).toContain('ca-bundle-missing');
    for (const m of [verdictMessage(result), ...threadMessages(result)]) {
      expect(validateMessage(m).errors).toEqual([]);
      expect(findUnescapedSpecials(m.text)).toEqual([]);
      for (const { path, text } of collectMrkdwn({ blocks: m.blocks })) expect(findUnescapedSpecials(text), path).toEqual([]);
    }
  });
});

describe('build-failed elsewhere', () => {
  it('build-healthy: the latest build succeeded, the endpoint admits the VPC', async () => {
    const { result } = await investigate('build-healthy');
    expect(ids(result)).toEqual(['build-healthy']);
    expect(result.verdict).toMatchObject({ severity: 'ok', subject: 'web-app-build' });
    expect(result.verdict.summary).toMatch(/^web-app-build’s latest build \(build #2\) succeeded at .* UTC\.$/);
  });

  it('secret-env-unresolvable: the service role may not read the secret (names the variable and the permission)', async () => {
    const denied =
      'Secrets Manager Error: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/codebuild-web-app-build-service-role/AWSCodeBuild-1 is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/ci/npm';
    const { result } = await investigate('build-healthy', {
      tweak: (s) => {
        s.codebuild.projects[0]!.builds = [{ start: 'now-1h', status: 'FAILED', failedPhase: 'DOWNLOAD_SOURCE', message: denied }];
      },
    });
    expect(ids(result)).toEqual(['secret-env-unresolvable']);
    expect(finding(result, 'secret-env-unresolvable').title).toBe('web-app-build’s build cannot resolve NPM_TOKEN (prod/ci/npm:token): the service role may not read it');
    expect(finding(result, 'secret-env-unresolvable').detail).toContain('Missing permission: secretsmanager:GetSecretValue for the service role arn:aws:iam::123456789012:role/service-role/codebuild-web-app-build-service-role');
  });

  it('build-failed-elsewhere: a BUILD failure is named with its message, outside this playbook’s path', async () => {
    const { result } = await investigate('build-healthy', {
      tweak: (s) => {
        s.codebuild.projects[0]!.builds = [{ start: 'now-1h', status: 'FAILED', failedPhase: 'BUILD', message: 'Error while executing command: npm test. Reason: exit status 1' }];
      },
    });
    expect(ids(result)).toEqual(['build-failed-elsewhere']);
    expect(result.verdict).toMatchObject({ severity: 'warning', cause: 'build-failed-elsewhere' });
  });

  it('no such project: a warning, the builds and network skipped with the reason', async () => {
    const { result } = await investigate('incident-000', { target: 'no-such-project' });
    expect(result.verdict).toMatchObject({ severity: 'warning', summary: 'There is no CodeBuild project named no-such-project in ap-northeast-1.' });
    expect(result.checks.map((c) => c.status)).toEqual(['skipped', 'skipped', 'skipped']);
  });

  it('a project outside a VPC: the network check is skipped and says why', async () => {
    const { result } = await investigate('incident-000', { tweak: (s) => delete s.codebuild.projects[0]!.vpc });
    expect(check(result, 'network')).toMatchObject({ status: 'skipped', reason: 'the project is not in a VPC: its builds call the services’ public endpoints' });
    expect(ids(result)).toEqual(['ca-bundle-missing']);
  });
});

describe('build-failed remediations against the double', () => {
  const VERIFY = { timeoutMs: 3_000, intervalMs: 20 };

  it('the image button’s confirmation shows before → after and offers the other image; the CLI does the same by hand', async () => {
    const { result } = await investigate('incident-000');
    const ref = finding(result, 'ca-bundle-missing').remediations[0]!;
    const meta = actionMetas['codebuild-image']!;
    expect(meta.plan(ref.params).effect).toMatch(/^Image: node:24\.13\.0-trixie-slim → node:24\.13\.0-trixie\./);
    expect(meta.choice!(ref.params).options.map((o) => o.value)).toEqual(['node:24.13.0-trixie', 'aws/codebuild/standard:7.0']);
    const cmds = cliCommands(ref);
    expect(cmds[1]).toBe("aws codebuild update-project --region ap-northeast-1 --name web-app-build --environment file://environment.json");
    expect(cmds[0]).toContain("jq --arg image node:24.13.0-trixie '.image = $image'");
  });

  it('start a build on the slim image: DOWNLOAD_SOURCE fails and verify says so; switch the image, verify reads it back; the next build passes', async () => {
    const { aws } = await investigate('incident-000');
    const clients = clientsFor('ap-northeast-1');
    try {
      const first = await codebuildStartBuild.execute(clients, { project: 'web-app-build', region: 'ap-northeast-1' });
      expect(first.facts?.buildId).toMatch(/^web-app-build:/);
      const failed = await codebuildStartBuild.verify(clients, { project: 'web-app-build', region: 'ap-northeast-1' }, first.facts!, VERIFY);
      expect(failed.ok).toBe(false);
      expect(failed.detail).toMatch(/^web-app-build build #4: DOWNLOAD_SOURCE FAILED — Secrets Manager Error: .* x509: certificate signed by unknown authority$/);

      const p = { project: 'web-app-build', image: 'node:24.13.0-trixie', region: 'ap-northeast-1', from: 'node:24.13.0-trixie-slim' };
      expect(await codebuildImage.reconcile!(clients, p, {})).toEqual({ happened: 'not-happened' });
      const done = await codebuildImage.execute(clients, p);
      expect(done.done).toBe('switched web-app-build to node:24.13.0-trixie');
      expect(await codebuildImage.verify(clients, p, {}, VERIFY)).toEqual({ ok: true, detail: 'web-app-build builds with node:24.13.0-trixie' });
      expect((await codebuildImage.reconcile!(clients, p, {})).happened).toBe('happened');
      // the variables are still there after the update
      expect(aws.world.codebuild.projects[0]!.environment.environmentVariables.map((v) => v.name)).toEqual(['NODE_ENV', 'SENTRY_DSN', 'NPM_TOKEN']);

      const second = await codebuildStartBuild.execute(clients, { project: 'web-app-build', region: 'ap-northeast-1' });
      expect(await codebuildStartBuild.verify(clients, { project: 'web-app-build', region: 'ap-northeast-1' }, second.facts!, VERIFY)).toEqual({
        ok: true,
        detail: 'web-app-build build #5: DOWNLOAD_SOURCE SUCCEEDED',
      });
      const writes = aws.calls.filter((c) => c.operation === 'UpdateProject' || c.operation === 'StartBuild').map((c) => c.operation);
      expect(writes).toEqual(['StartBuild', 'UpdateProject', 'StartBuild']);
    } finally {
      clients.destroy();
    }
  });

  it('switching to the managed image pulls it with CodeBuild’s credentials', async () => {
    const { aws } = await investigate('incident-000');
    const clients = clientsFor('ap-northeast-1');
    try {
      await codebuildImage.execute(clients, { project: 'web-app-build', image: 'aws/codebuild/standard:7.0', region: 'ap-northeast-1' });
      expect(aws.world.codebuild.projects[0]!.environment).toMatchObject({ image: 'aws/codebuild/standard:7.0', imagePullCredentialsType: 'CODEBUILD' });
    } finally {
      clients.destroy();
    }
  });
});
