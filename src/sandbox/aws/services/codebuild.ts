/**
 * AWS CodeBuild (awsJson1_1, target prefix "CodeBuild_20161006"): ListBuildsForProject,
 * BatchGetBuilds, BatchGetProjects, UpdateProject (environment only) and StartBuild. Builds
 * the double starts settle after the simulation's delay (world-codebuild.ts decides how).
 * Environment variables are served as AWS serves them, plaintext values included: whybot's
 * adapter is the one that drops them.
 */
import { AwsError } from '../errors.js';
import { randomUUID } from '../ids.js';
import { Json11Protocol } from '../protocols/json11.js';
import type { World } from '../world.js';
import { downloadSourceFails, INCIDENT_000_X509, phasesOf, projectArn, type CbBuild, type CbEnvironment, type CbProject } from '../world-codebuild.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const protocol = new Json11Protocol({ messageKey: 'message' });

const invalid = (message: string) => new AwsError('InvalidInputException', message);

/** A project named by name or ARN. */
function findProject(world: World, nameOrArn: string): CbProject | undefined {
  return world.codebuild.projects.find((p) => p.name === nameOrArn || p.arn === nameOrArn);
}

const environment = (e: CbEnvironment) => ({
  type: e.type,
  image: e.image,
  computeType: e.computeType,
  imagePullCredentialsType: e.imagePullCredentialsType,
  privilegedMode: false,
  environmentVariables: e.environmentVariables.map((v) => ({ name: v.name, value: v.value, type: v.type })),
});

const vpcConfig = (v: CbProject['vpcConfig']) => v && { vpcId: v.vpcId, subnets: [...v.subnets], securityGroupIds: [...v.securityGroupIds] };

function describeProject(p: CbProject) {
  return {
    name: p.name,
    arn: p.arn,
    source: p.source,
    serviceRole: p.serviceRole,
    environment: environment(p.environment),
    vpcConfig: vpcConfig(p.vpcConfig),
    timeoutInMinutes: 60,
    queuedTimeoutInMinutes: 480,
    artifacts: { type: 'NO_ARTIFACTS' },
    created: p.created,
    lastModified: p.lastModified,
  };
}

function describeBuild(p: CbProject, b: CbBuild, now: Date) {
  const { phases, status, currentPhase, endTime } = phasesOf(b, now);
  return {
    id: b.id,
    arn: b.arn,
    buildNumber: b.buildNumber,
    startTime: b.startTime,
    endTime,
    currentPhase,
    buildStatus: status,
    projectName: p.name,
    phases,
    source: b.source,
    environment: environment(b.environment),
    serviceRole: p.serviceRole,
    vpcConfig: vpcConfig(b.vpcConfig),
    initiator: b.initiator,
    buildComplete: status !== 'IN_PROGRESS',
    timeoutInMinutes: 60,
  };
}

function listBuildsForProject(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const name = p.str('projectName', true);
  const project = findProject(ctx.world, name);
  if (!project) throw new AwsError('ResourceNotFoundException', `The provided project name ${name} does not exist`);
  const order = p.str('sortOrder') ?? 'DESCENDING';
  if (order !== 'ASCENDING' && order !== 'DESCENDING') throw invalid(`sortOrder must be ASCENDING or DESCENDING`);
  const builds = [...project.builds].sort((a, b) => (a.startTime.getTime() - b.startTime.getTime()) * (order === 'ASCENDING' ? 1 : -1));
  const { nextToken: _t, ...scope } = ctx.params;
  const page = paginate(builds, { token: p.str('nextToken'), limit: 100, scope, invalidToken: () => invalid('Invalid nextToken') });
  return { ids: page.items.map((b) => b.id), nextToken: page.next };
}

function batchGetBuilds(ctx: OperationContext) {
  const ids = new ParamReader(ctx).strings('ids', true)!;
  if (ids.length < 1 || ids.length > 100) throw invalid('ids must contain between 1 and 100 build ids');
  const builds: unknown[] = [];
  const buildsNotFound: string[] = [];
  for (const id of ids) {
    const project = ctx.world.codebuild.projects.find((p) => p.builds.some((b) => b.id === id || b.arn === id));
    const build = project?.builds.find((b) => b.id === id || b.arn === id);
    if (project && build) builds.push(describeBuild(project, build, ctx.now));
    else buildsNotFound.push(id);
  }
  return { builds, buildsNotFound };
}

function batchGetProjects(ctx: OperationContext) {
  const names = new ParamReader(ctx).strings('names', true)!;
  if (names.length < 1 || names.length > 100) throw invalid('names must contain between 1 and 100 project names');
  const projects: unknown[] = [];
  const projectsNotFound: string[] = [];
  for (const n of names) {
    const project = findProject(ctx.world, n);
    if (project) projects.push(describeProject(project));
    else projectsNotFound.push(n);
  }
  return { projects, projectsNotFound };
}

function updateProject(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const name = p.str('name', true);
  const project = findProject(ctx.world, name);
  if (!project) throw new AwsError('ResourceNotFoundException', `Project cannot be found: ${projectArn(ctx.world, name)}`);
  const env = p.object('environment');
  if (env) {
    for (const key of ['type', 'image', 'computeType'] as const)
      if (typeof env[key] !== 'string' || env[key] === '') throw invalid(`environment.${key} is required`);
    const vars = Array.isArray(env.environmentVariables) ? (env.environmentVariables as Record<string, unknown>[]) : project.environment.environmentVariables;
    project.environment = {
      type: env.type as string,
      image: env.image as string,
      computeType: env.computeType as string,
      imagePullCredentialsType: env.imagePullCredentialsType === 'CODEBUILD' || env.imagePullCredentialsType === 'SERVICE_ROLE' ? env.imagePullCredentialsType : project.environment.imagePullCredentialsType,
      environmentVariables: vars.map((v) => ({ name: String(v.name), value: String(v.value ?? ''), type: (v.type as CbEnvironment['environmentVariables'][number]['type']) ?? 'PLAINTEXT' })),
    };
    project.lastModified = ctx.now;
  }
  return { project: describeProject(project) };
}

function startBuild(ctx: OperationContext) {
  const name = new ParamReader(ctx).str('projectName', true);
  const project = findProject(ctx.world, name);
  if (!project) throw new AwsError('ResourceNotFoundException', `Project cannot be found: ${projectArn(ctx.world, name)}`);
  const id = `${project.name}:${randomUUID()}`;
  const fails = downloadSourceFails(project);
  const build: CbBuild = {
    id,
    arn: `arn:aws:codebuild:${ctx.world.region}:${ctx.world.accountId}:build/${id}`,
    buildNumber: Math.max(0, ...project.builds.map((b) => b.buildNumber)) + 1,
    startTime: ctx.now,
    outcome: fails
      ? { status: 'FAILED', failedPhase: 'DOWNLOAD_SOURCE', statusCode: 'CLIENT_ERROR', message: INCIDENT_000_X509.replaceAll('{region}', ctx.world.region) }
      : { status: 'SUCCEEDED' },
    settlesAt: new Date(ctx.now.getTime() + ctx.options.deployDelayMs),
    environment: { ...project.environment, environmentVariables: project.environment.environmentVariables.map((v) => ({ ...v })) },
    ...(project.vpcConfig ? { vpcConfig: { ...project.vpcConfig } } : {}),
    source: { ...project.source },
    initiator: 'whybot',
  };
  project.builds.push(build);
  return { build: describeBuild(project, build, ctx.now) };
}

function iamResource(operation: string, params: Params, world: World): string {
  const name = operation === 'BatchGetProjects' ? (Array.isArray(params.names) ? params.names[0] : undefined) : operation === 'BatchGetBuilds' ? undefined : (params.projectName ?? params.name);
  if (typeof name !== 'string') return '*';
  return findProject(world, name)?.arn ?? projectArn(world, name);
}

export const codebuild: ServiceModule = {
  signingName: 'codebuild',
  protocol,
  operations: {
    ListBuildsForProject: listBuildsForProject,
    BatchGetBuilds: batchGetBuilds,
    BatchGetProjects: batchGetProjects,
    UpdateProject: updateProject,
    StartBuild: startBuild,
  },
  iamResource,
};
