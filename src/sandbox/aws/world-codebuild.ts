// The CodeBuild part of the double's world (issue 15): projects and their builds, each build
// with the phases CodeBuild reports (schema in ../scenario-codebuild.ts). Built by world.ts.
// A build the double starts (StartBuild) settles after the simulation's delay: its
// DOWNLOAD_SOURCE fails as incident 000's did when the project resolves secrets in a VPC with
// a slim/alpine/distroless image (no full CA bundle), and succeeds otherwise.
import { resolveTime, type Scenario } from '../scenario.js';
import { BUILD_PHASES, type CodeBuildProjectScenario } from '../scenario-codebuild.js';
import { stableHex, stableUuid } from './ids.js';
import { ScenarioError } from './scenario-error.js';

export interface CbEnvVar {
  name: string;
  value: string;
  type: 'PLAINTEXT' | 'SECRETS_MANAGER' | 'PARAMETER_STORE';
}

export interface CbEnvironment {
  type: string;
  image: string;
  computeType: string;
  imagePullCredentialsType: 'CODEBUILD' | 'SERVICE_ROLE';
  environmentVariables: CbEnvVar[];
}

export interface CbPhase {
  phaseType: string;
  phaseStatus?: string;
  startTime: Date;
  endTime?: Date;
  durationInSeconds?: number;
  contexts?: { statusCode: string; message: string }[];
}

export interface CbBuild {
  id: string;
  arn: string;
  buildNumber: number;
  startTime: Date;
  /** the build's outcome, once settled */
  outcome: { status: string; failedPhase?: string; message?: string; statusCode?: string; failedPhaseSeconds?: number };
  /** a build the double started: in progress until then */
  settlesAt?: Date;
  environment: CbEnvironment;
  vpcConfig?: { vpcId: string; subnets: string[]; securityGroupIds: string[] };
  source: { type: string; location?: string; buildspec?: string };
  initiator: string;
}

export interface CbProject {
  name: string;
  arn: string;
  serviceRole: string;
  created: Date;
  lastModified: Date;
  environment: CbEnvironment;
  vpcConfig?: { vpcId: string; subnets: string[]; securityGroupIds: string[] };
  source: { type: string; location?: string; buildspec?: string };
  builds: CbBuild[];
}

export interface CodeBuildWorld {
  projects: CbProject[];
}

export const INCIDENT_000_X509 =
  'Secrets Manager Error: RequestError: send request failed\ncaused by: Post "https://secretsmanager.{region}.amazonaws.com/": tls: failed to verify certificate: x509: certificate signed by unknown authority';

export const projectArn = (w: { region: string; accountId: string }, name: string) => `arn:aws:codebuild:${w.region}:${w.accountId}:project/${name}`;
const buildArn = (w: { region: string; accountId: string }, id: string) => `arn:aws:codebuild:${w.region}:${w.accountId}:build/${id}`;

/** A build id: "<project>:<uuid>". */
export const buildId = (project: string, seed: string) => `${project}:${stableUuid(`codebuild:${project}:${seed}`)}`;

function environmentOf(p: CodeBuildProjectScenario): CbEnvironment {
  const image = p.image ?? 'aws/codebuild/standard:7.0';
  return {
    type: p.environmentType ?? 'LINUX_CONTAINER',
    image,
    computeType: p.computeType ?? 'BUILD_GENERAL1_SMALL',
    imagePullCredentialsType: p.imagePullCredentialsType ?? (image.startsWith('aws/codebuild/') ? 'CODEBUILD' : 'SERVICE_ROLE'),
    environmentVariables: (p.environmentVariables ?? []).map((v) => ({ name: v.name, value: v.value, type: v.type ?? 'PLAINTEXT' })),
  };
}

/** Would a new build of this project fail resolving its secrets, as incident 000's did? */
export function downloadSourceFails(project: Pick<CbProject, 'environment' | 'vpcConfig'>): boolean {
  const secrets = project.environment.environmentVariables.some((v) => v.type !== 'PLAINTEXT');
  return secrets && project.vpcConfig !== undefined && /slim|alpine|distroless/i.test(project.environment.image);
}

export function buildCodeBuildWorld(scenario: Scenario, now: Date): CodeBuildWorld {
  const w = { region: scenario.region, accountId: scenario.accountId };
  const projects: CbProject[] = [];
  for (const p of scenario.codebuild.projects) {
    if (projects.some((q) => q.name === p.name)) throw new ScenarioError(`scenario ${scenario.name}: CodeBuild project ${p.name} is listed twice`);
    const environment = environmentOf(p);
    const vpcConfig = p.vpc && {
      vpcId: p.vpc.vpcId ?? scenario.ec2.subnets.find((s) => s.id === p.vpc!.subnetIds[0])?.vpcId ?? `vpc-${stableHex(`vpc:${p.vpc.subnetIds[0]}`, 17)}`,
      subnets: [...p.vpc.subnetIds],
      securityGroupIds: [...p.vpc.securityGroupIds],
    };
    const source = { type: p.source?.type ?? 'GITHUB', location: p.source?.location ?? `https://github.com/example/${p.name}.git`, ...(p.source?.buildspec !== undefined ? { buildspec: p.source.buildspec } : {}) };
    const starts = (p.builds ?? []).map((b) => resolveTime(b.start, now));
    const order = starts.map((t, i) => ({ t, i })).sort((a, b) => a.t.getTime() - b.t.getTime() || a.i - b.i);
    const builds: CbBuild[] = order.map(({ t, i }, n) => {
      const b = p.builds![i]!;
      const id = buildId(p.name, `${n + 1}`);
      return {
        id,
        arn: buildArn(w, id),
        buildNumber: n + 1,
        startTime: t,
        outcome: {
          status: b.status ?? 'SUCCEEDED',
          ...(b.status && b.status !== 'SUCCEEDED' ? { failedPhase: b.failedPhase ?? 'BUILD', statusCode: b.statusCode ?? 'CLIENT_ERROR' } : {}),
          ...(b.message !== undefined ? { message: b.message.replaceAll('{region}', scenario.region) } : {}),
          ...(b.failedPhaseSeconds !== undefined ? { failedPhaseSeconds: b.failedPhaseSeconds } : {}),
        },
        environment: { ...environment, image: b.image ?? environment.image, environmentVariables: environment.environmentVariables.map((v) => ({ ...v })) },
        ...(vpcConfig ? { vpcConfig: { ...vpcConfig } } : {}),
        source: { ...source },
        initiator: 'GitHub-Hookshot/abc1234',
      };
    });
    const created = new Date(Math.min(now.getTime() - 30 * 86_400_000, ...starts.map((s) => s.getTime())));
    projects.push({
      name: p.name,
      arn: projectArn(w, p.name),
      serviceRole: `arn:aws:iam::${scenario.accountId}:role/service-role/codebuild-${p.name}-service-role`,
      created,
      lastModified: created,
      environment,
      ...(vpcConfig ? { vpcConfig } : {}),
      source,
      builds,
    });
  }
  return { projects };
}

/** A build's phases as CodeBuild reports them at `now`: each a few seconds; after a failure only FINALIZING and COMPLETED. */
export function phasesOf(b: CbBuild, now: Date): { phases: CbPhase[]; status: string; currentPhase: string; endTime?: Date } {
  const settled = !b.settlesAt || b.settlesAt <= now;
  const phases: CbPhase[] = [];
  let t = b.startTime.getTime();
  const push = (type: string, status: string | undefined, seconds: number, context?: { statusCode: string; message: string }) => {
    const start = new Date(t);
    t += seconds * 1000;
    phases.push({ phaseType: type, startTime: start, ...(status ? { phaseStatus: status, endTime: new Date(t), durationInSeconds: seconds } : {}), ...(context ? { contexts: [context] } : {}) });
  };
  if (!settled) {
    push('SUBMITTED', 'SUCCEEDED', 0);
    push('QUEUED', 'SUCCEEDED', 1);
    push('PROVISIONING', undefined, 0);
    return { phases, status: 'IN_PROGRESS', currentPhase: 'PROVISIONING' };
  }
  const o = b.outcome;
  for (const type of BUILD_PHASES) {
    if (type === 'COMPLETED') {
      push(type, undefined, 0);
      break;
    }
    if (o.failedPhase && type === o.failedPhase) {
      push(type, o.status === 'SUCCEEDED' ? 'FAILED' : o.status, o.failedPhaseSeconds ?? 2, { statusCode: o.statusCode ?? 'CLIENT_ERROR', message: o.message ?? `Error while executing command. Reason: exit status 1` });
      continue;
    }
    const failedEarlier = o.failedPhase !== undefined && BUILD_PHASES.indexOf(type) > BUILD_PHASES.indexOf(o.failedPhase as (typeof BUILD_PHASES)[number]);
    if (failedEarlier && type !== 'FINALIZING') continue;
    push(type, 'SUCCEEDED', type === 'BUILD' ? 42 : type === 'PROVISIONING' ? 9 : 1);
  }
  return { phases, status: o.status, currentPhase: 'COMPLETED', endTime: new Date(t) };
}
