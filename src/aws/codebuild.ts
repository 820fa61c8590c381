// CodeBuild: a project's latest builds (ListBuildsForProject, newest first → BatchGetBuilds)
// and the project itself (BatchGetProjects). Used by /why-build-failed (incident 000).
// Plaintext environment variables keep their names only (values may be secrets); secret
// references (SECRETS_MANAGER, PARAMETER_STORE) keep the reference, which names a secret but
// is not one. Phase messages and buildspec commands are redacted here.
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CodeBuildClient,
  ListBuildsForProjectCommand,
  StartBuildCommand,
  UpdateProjectCommand,
  type Build,
  type EnvironmentVariable,
  type Project,
  type ProjectEnvironment,
  type VpcConfig,
} from '@aws-sdk/client-codebuild';
import { redactSecrets } from '../redact/index.js';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { iam } from './iam.js';
import { parseBuildspec, type BuildspecFacts } from './buildspec.js';
import { isCuratedImage } from './codebuild-images.js';

const codebuildClient = (aws: AwsClients) => withAbort(aws.client('codebuild', (config) => new CodeBuildClient(config)));

export const CODEBUILD_IAM = {
  listBuildsForProject: iam('codebuild:ListBuildsForProject'),
  batchGetBuilds: iam('codebuild:BatchGetBuilds'),
  batchGetProjects: iam('codebuild:BatchGetProjects'),
  updateProject: iam('codebuild:UpdateProject'),
  startBuild: iam('codebuild:StartBuild'),
} as const;

/** BatchGetBuilds takes up to 100 ids; whybot reads the newest few. */
export const LATEST_BUILDS = 10;

export type EnvVarType = 'PLAINTEXT' | 'SECRETS_MANAGER' | 'PARAMETER_STORE' | string;

/** An environment variable as whybot keeps it: never a plaintext value. */
export interface EnvVarRef {
  name: string;
  type: EnvVarType;
  /** SECRETS_MANAGER / PARAMETER_STORE only: the reference (secret-id[:json-key[:stage[:version]]] or a parameter name) */
  reference?: string;
}

export interface VpcSettings {
  vpcId?: string;
  subnetIds: string[];
  securityGroupIds: string[];
}

export interface BuildEnvironmentInfo {
  image?: string;
  /** LINUX_CONTAINER, ARM_CONTAINER, LINUX_LAMBDA_CONTAINER, … */
  type?: string;
  computeType?: string;
  /** CODEBUILD (a managed image) or SERVICE_ROLE */
  imagePullCredentialsType?: string;
  variables: EnvVarRef[];
}

export interface PhaseContext {
  statusCode?: string;
  /** redacted */
  message?: string;
}

export interface BuildPhase {
  /** SUBMITTED, QUEUED, PROVISIONING, DOWNLOAD_SOURCE, INSTALL, PRE_BUILD, BUILD, … */
  type: string;
  /** SUCCEEDED, FAILED, FAULT, TIMED_OUT, IN_PROGRESS, STOPPED; absent for the last (COMPLETED) */
  status?: string;
  durationSeconds?: number;
  start?: Date;
  end?: Date;
  contexts: PhaseContext[];
}

export interface BuildSourceInfo {
  type?: string;
  location?: string;
  /** the buildspec is in the project (inline), not a file in the source */
  inlineBuildspec: boolean;
  /** the file the buildspec is read from when not inline (default buildspec.yml) */
  buildspecFile?: string;
  buildspec?: BuildspecFacts;
}

export interface BuildInfo {
  id: string;
  number?: number;
  status?: string;
  currentPhase?: string;
  start?: Date;
  end?: Date;
  initiator?: string;
  sourceVersion?: string;
  phases: BuildPhase[];
  environment: BuildEnvironmentInfo;
  vpc?: VpcSettings;
  source: BuildSourceInfo;
}

export interface ProjectInfo {
  name: string;
  arn?: string;
  serviceRole?: string;
  environment: BuildEnvironmentInfo;
  vpc?: VpcSettings;
  source: BuildSourceInfo;
  lastModified?: Date;
}

const SECRET_TYPES = new Set(['SECRETS_MANAGER', 'PARAMETER_STORE']);

function envVars(vars: readonly EnvironmentVariable[] | undefined): EnvVarRef[] {
  return (vars ?? [])
    .filter((v) => v.name)
    .map((v) => ({
      name: v.name!,
      type: v.type ?? 'PLAINTEXT',
      ...(SECRET_TYPES.has(v.type ?? '') && v.value !== undefined ? { reference: v.value } : {}),
    }));
}

function environment(env: ProjectEnvironment | undefined): BuildEnvironmentInfo {
  return {
    ...(env?.image ? { image: env.image } : {}),
    ...(env?.type ? { type: env.type } : {}),
    ...(env?.computeType ? { computeType: env.computeType } : {}),
    ...(env?.imagePullCredentialsType ? { imagePullCredentialsType: env.imagePullCredentialsType } : {}),
    variables: envVars(env?.environmentVariables),
  };
}

function vpcSettings(v: VpcConfig | undefined): VpcSettings | undefined {
  if (!v || (!v.vpcId && (v.subnets ?? []).length === 0)) return undefined;
  return { ...(v.vpcId ? { vpcId: v.vpcId } : {}), subnetIds: [...(v.subnets ?? [])], securityGroupIds: [...(v.securityGroupIds ?? [])] };
}

/** A buildspec held in the project is YAML text; a file name has no line break and no `phases`. */
export const isInlineBuildspec = (spec: string) => /\n/.test(spec.trim()) || /^\s*(version|phases)\s*:/m.test(spec);

function source(s: { type?: string; location?: string; buildspec?: string } | undefined): BuildSourceInfo {
  const spec = s?.buildspec;
  const inline = spec !== undefined && isInlineBuildspec(spec);
  return {
    ...(s?.type ? { type: s.type } : {}),
    ...(s?.location ? { location: s.location } : {}),
    inlineBuildspec: inline,
    ...(!inline && s?.type !== 'NO_SOURCE' ? { buildspecFile: spec || 'buildspec.yml' } : {}),
    ...(inline ? { buildspec: parseBuildspec(spec) } : {}),
  };
}

function toBuild(b: Build): BuildInfo {
  return {
    id: b.id ?? '',
    ...(b.buildNumber !== undefined ? { number: b.buildNumber } : {}),
    ...(b.buildStatus ? { status: b.buildStatus } : {}),
    ...(b.currentPhase ? { currentPhase: b.currentPhase } : {}),
    ...(b.startTime ? { start: b.startTime } : {}),
    ...(b.endTime ? { end: b.endTime } : {}),
    ...(b.initiator ? { initiator: b.initiator } : {}),
    ...(b.sourceVersion ? { sourceVersion: b.sourceVersion } : {}),
    phases: (b.phases ?? []).map((p) => ({
      type: p.phaseType ?? 'UNKNOWN',
      ...(p.phaseStatus ? { status: p.phaseStatus } : {}),
      ...(p.durationInSeconds !== undefined ? { durationSeconds: p.durationInSeconds } : {}),
      ...(p.startTime ? { start: p.startTime } : {}),
      ...(p.endTime ? { end: p.endTime } : {}),
      contexts: (p.contexts ?? []).map((c) => ({
        ...(c.statusCode ? { statusCode: c.statusCode } : {}),
        ...(c.message ? { message: redactSecrets(c.message.trimEnd()) } : {}),
      })),
    })),
    environment: environment(b.environment),
    ...(vpcSettings(b.vpcConfig) ? { vpc: vpcSettings(b.vpcConfig)! } : {}),
    source: source(b.source),
  };
}

function toProject(p: Project): ProjectInfo {
  return {
    name: p.name ?? '',
    ...(p.arn ? { arn: p.arn } : {}),
    ...(p.serviceRole ? { serviceRole: p.serviceRole } : {}),
    environment: environment(p.environment),
    ...(vpcSettings(p.vpcConfig) ? { vpc: vpcSettings(p.vpcConfig)! } : {}),
    source: source(p.source),
    ...(p.lastModified ? { lastModified: p.lastModified } : {}),
  };
}

/** The project, or undefined when CodeBuild does not know it (BatchGetProjects lists it in projectsNotFound). */
export async function getProject(aws: AwsClients, name: string, signal?: AbortSignal): Promise<ProjectInfo | undefined> {
  return awsCall(CODEBUILD_IAM.batchGetProjects, async () => {
    const out = await codebuildClient(aws).send(new BatchGetProjectsCommand({ names: [name] }), { abortSignal: signal });
    const p = out.projects?.[0];
    return p ? toProject(p) : undefined;
  });
}

/** The ids of the project's newest builds (first page, newest first). */
export async function latestBuildIds(aws: AwsClients, project: string, signal?: AbortSignal): Promise<string[]> {
  return awsCall(CODEBUILD_IAM.listBuildsForProject, async () => {
    const out = await codebuildClient(aws).send(new ListBuildsForProjectCommand({ projectName: project, sortOrder: 'DESCENDING' }), { abortSignal: signal });
    return (out.ids ?? []).slice(0, LATEST_BUILDS);
  });
}

/** The builds, newest first (as the ids were given). */
export async function getBuilds(aws: AwsClients, ids: readonly string[], signal?: AbortSignal): Promise<BuildInfo[]> {
  if (ids.length === 0) return [];
  return awsCall(CODEBUILD_IAM.batchGetBuilds, async () => {
    const out = await codebuildClient(aws).send(new BatchGetBuildsCommand({ ids: [...ids] }), { abortSignal: signal });
    const byId = new Map((out.builds ?? []).map((b) => [b.id ?? '', b]));
    return ids.flatMap((id) => (byId.has(id) ? [toBuild(byId.get(id)!)] : []));
  });
}

/** Sets the project's build image; UpdateProject replaces `environment` whole, so the current one is sent with the new image. */
export async function setProjectImage(aws: AwsClients, project: string, image: string): Promise<{ requestId?: string }> {
  const client = codebuildClient(aws);
  const current = await awsCall(CODEBUILD_IAM.batchGetProjects, async () => (await client.send(new BatchGetProjectsCommand({ names: [project] }))).projects?.[0]?.environment);
  return awsCall(CODEBUILD_IAM.updateProject, async () => {
    if (!current) throw Object.assign(new Error(`CodeBuild project ${project} not found`), { name: 'ResourceNotFoundException' });
    // a curated image must be pulled with CodeBuild's own credentials; any other keeps the project's
    const credentials = isCuratedImage(image) ? { imagePullCredentialsType: 'CODEBUILD' as const } : {};
    const out = await client.send(new UpdateProjectCommand({ name: project, environment: { ...current, image, ...credentials } }));
    return { requestId: out.$metadata.requestId };
  });
}

/** One build, or undefined when CodeBuild does not know it. */
export async function getBuild(aws: AwsClients, id: string): Promise<BuildInfo | undefined> {
  return (await getBuilds(aws, [id]))[0];
}

/** Starts a build of the project with its current settings. */
export async function startBuild(aws: AwsClients, project: string): Promise<{ buildId?: string; requestId?: string }> {
  return awsCall(CODEBUILD_IAM.startBuild, async () => {
    const out = await codebuildClient(aws).send(new StartBuildCommand({ projectName: project }));
    return { ...(out.build?.id ? { buildId: out.build.id } : {}), requestId: out.$metadata.requestId };
  });
}
