// The AWS double's CodeBuild (AWS JSON 1.1, CodeBuild_20161006.<Op>) with the REAL SDK v3
// client, reached through AWS_ENDPOINT_URL: incident 000's project, its builds, and the two
// writes build-failed's buttons make. Also the small buildspec reader the adapter uses.
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CodeBuildClient,
  ListBuildsForProjectCommand,
  StartBuildCommand,
  UpdateProjectCommand,
} from '@aws-sdk/client-codebuild';
import { afterEach, describe, expect, it } from 'vitest';
import { caInstallCommands, parseBuildspec } from '../src/aws/buildspec.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { loadScenario, type Scenario } from '../src/sandbox/scenario.js';
import { failure, startFor } from './helpers/aws-double.js';

let aws: AwsDouble | undefined;
let cb: CodeBuildClient | undefined;
afterEach(async () => {
  cb?.destroy();
  await aws?.close();
  aws = cb = undefined;
});

async function start(name = 'incident-000', tweak?: (s: Scenario) => void, deployDelayMs = 60) {
  const scenario = await loadScenario(name);
  tweak?.(scenario);
  aws = await startFor(scenario, { deployDelayMs });
  cb = new CodeBuildClient({ region: scenario.region, maxAttempts: 1 });
  return cb;
}

describe('AWS double: CodeBuild', () => {
  it('lists a project’s builds newest first (or oldest first), and describes them with their phases', async () => {
    const c = await start();
    const desc = (await c.send(new ListBuildsForProjectCommand({ projectName: 'web-app-build', sortOrder: 'DESCENDING' }))).ids!;
    const asc = (await c.send(new ListBuildsForProjectCommand({ projectName: 'web-app-build', sortOrder: 'ASCENDING' }))).ids!;
    expect(desc).toHaveLength(3);
    expect(asc).toEqual([...desc].reverse());
    const { builds, buildsNotFound } = await c.send(new BatchGetBuildsCommand({ ids: [...desc, 'web-app-build:nope'] }));
    expect(buildsNotFound).toEqual(['web-app-build:nope']);
    expect(builds!.map((b) => [b.buildNumber, b.buildStatus, b.environment?.image])).toEqual([
      [3, 'FAILED', 'node:24.13.0-trixie-slim'],
      [2, 'FAILED', 'node:24.13.0-trixie-slim'],
      [1, 'SUCCEEDED', 'aws/codebuild/standard:7.0'],
    ]);
    const phases = builds![0]!.phases!;
    expect(phases.map((p) => `${p.phaseType}:${p.phaseStatus ?? ''}`)).toEqual([
      'SUBMITTED:SUCCEEDED',
      'QUEUED:SUCCEEDED',
      'PROVISIONING:SUCCEEDED',
      'DOWNLOAD_SOURCE:FAILED',
      'FINALIZING:SUCCEEDED',
      'COMPLETED:',
    ]);
    expect(phases[3]!.contexts![0]).toEqual({
      statusCode: 'CLIENT_ERROR',
      message: 'Secrets Manager Error: RequestError: send request failed\ncaused by: Post "https://secretsmanager.ap-northeast-1.amazonaws.com/": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    });
    expect(builds![0]!.startTime).toBeInstanceOf(Date);
    expect(builds![0]!.vpcConfig).toMatchObject({ vpcId: 'vpc-0b1d0000000000a00', securityGroupIds: ['sg-0b1d0000000000a04'] });
  });

  it('answers an unknown project: ResourceNotFoundException for its builds, projectsNotFound for the project', async () => {
    const c = await start();
    expect(await failure(c.send(new ListBuildsForProjectCommand({ projectName: 'nope' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
    const out = await c.send(new BatchGetProjectsCommand({ names: ['nope', 'web-app-build'] }));
    expect(out.projectsNotFound).toEqual(['nope']);
    expect(out.projects!.map((p) => p.name)).toEqual(['web-app-build']);
    expect(out.projects![0]!.environment!.environmentVariables!.find((v) => v.name === 'NPM_TOKEN')).toEqual({ name: 'NPM_TOKEN', value: 'prod/ci/npm:token', type: 'SECRETS_MANAGER' });
  });

  it('UpdateProject sets the environment; a build started with the slim image fails in DOWNLOAD_SOURCE, with the full one it succeeds', async () => {
    // a build settles 1 s after it starts: room for a loaded machine to ask before it does
    const c = await start('incident-000', undefined, 1_000);
    const run = async () => {
      const id = (await c.send(new StartBuildCommand({ projectName: 'web-app-build' }))).build!.id!;
      const first = (await c.send(new BatchGetBuildsCommand({ ids: [id] }))).builds![0]!;
      expect(first.buildStatus).toBe('IN_PROGRESS');
      const get = async () => (await c.send(new BatchGetBuildsCommand({ ids: [id] }))).builds![0]!;
      await expect.poll(async () => (await get()).buildComplete, { timeout: 10_000, interval: 100 }).toBe(true);
      return get();
    };
    const slim = await run();
    expect(slim.buildStatus).toBe('FAILED');
    expect(slim.phases!.find((p) => p.phaseType === 'DOWNLOAD_SOURCE')!.phaseStatus).toBe('FAILED');

    const env = (await c.send(new BatchGetProjectsCommand({ names: ['web-app-build'] }))).projects![0]!.environment!;
    await c.send(new UpdateProjectCommand({ name: 'web-app-build', environment: { ...env, image: 'node:24.13.0-trixie' } }));
    const after = (await c.send(new BatchGetProjectsCommand({ names: ['web-app-build'] }))).projects![0]!.environment!;
    expect(after.image).toBe('node:24.13.0-trixie');
    expect(after.environmentVariables).toEqual(env.environmentVariables);
    const full = await run();
    expect(full.buildStatus).toBe('SUCCEEDED');
    expect(full.buildNumber).toBe(5);
  });

  it('faults apply: AccessDenied names the codebuild action and the project', async () => {
    const c = await start();
    aws!.inject({ service: 'codebuild', operation: 'BatchGetProjects', kind: 'AccessDenied', times: 1 });
    const f = await failure(c.send(new BatchGetProjectsCommand({ names: ['web-app-build'] })));
    expect(f.name).toBe('AccessDeniedException');
    expect(f.message).toMatch(/is not authorized to perform: codebuild:BatchGetProjects on resource: arn:aws:codebuild:ap-northeast-1:123456789012:project\/web-app-build/);
  });
});

describe('buildspec reader', () => {
  it('reads install commands (plain, quoted, flow, block scalars) and env secrets, and nothing from other phases', () => {
    const facts = parseBuildspec(
      [
        'version: 0.2',
        'env:',
        '  secrets-manager:',
        '    DB_PASSWORD: "prod/db:password"  # the password',
        '  parameter-store:',
        '    TOKEN: /ci/token',
        'phases:',
        '  install:',
        '    runtime-versions:',
        '      nodejs: 20',
        '    commands:',
        '      - apt-get update && apt-get install -y ca-certificates',
        "      - 'update-ca-certificates'",
        '      - |',
        '        echo a',
        '        echo b',
        '  build:',
        '    commands:',
        '      - npm test',
      ].join('\n'),
    );
    expect(facts).toEqual({
      installCommands: ['apt-get update && apt-get install -y ca-certificates', 'update-ca-certificates', 'echo a\necho b'],
      secretsManager: { DB_PASSWORD: 'prod/db:password' },
      parameterStore: { TOKEN: '/ci/token' },
    });
    expect(parseBuildspec('version: 0.2\nphases:\n  install:\n    commands: [ "a b", c ]\n').installCommands).toEqual(['a b', 'c']);
    expect(parseBuildspec('version: 0.2\nphases:\n  install:\n    commands:\n    - x\n  build:\n    commands:\n    - z\n').installCommands).toEqual(['x']);
    expect(parseBuildspec('not: [yaml').installCommands).toEqual([]);
    expect(caInstallCommands(facts.installCommands)).toEqual(['apt-get update && apt-get install -y ca-certificates', 'update-ca-certificates']);
  });
});
