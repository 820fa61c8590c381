// The scenario part a build investigation reads (issue 15, incident 000): CodeBuild projects
// with their environment, VPC config, source (an inline buildspec) and their recent builds.
// Optional, so every existing scenario stays valid; defaults are applied by the double's world
// builder (aws/world-codebuild.ts), so scenarios tweaked in code type-check with literals.
import * as z from 'zod';

const time = z.string().refine((v) => /^now(?:[+-](?:\d+[dhms])+)?$/.test(v) || !Number.isNaN(new Date(v).getTime()), {
  message: 'an ISO time or now[+-]NdNhNmNs',
});

/** CodeBuild's phases, in the order a build goes through them. */
export const BUILD_PHASES = [
  'SUBMITTED',
  'QUEUED',
  'PROVISIONING',
  'DOWNLOAD_SOURCE',
  'INSTALL',
  'PRE_BUILD',
  'BUILD',
  'POST_BUILD',
  'UPLOAD_ARTIFACTS',
  'FINALIZING',
  'COMPLETED',
] as const;

const EnvVarSchema = z.object({
  name: z.string().min(1),
  /** PLAINTEXT: the value; SECRETS_MANAGER: secret-id[:json-key[:stage[:version]]]; PARAMETER_STORE: a parameter name */
  value: z.string(),
  /** default PLAINTEXT */
  type: z.enum(['PLAINTEXT', 'SECRETS_MANAGER', 'PARAMETER_STORE']).optional(),
});

const BuildSchema = z.object({
  /** when the build started */
  start: time,
  /** default SUCCEEDED */
  status: z.enum(['SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED']).optional(),
  /** for a build that did not succeed: the phase that failed (default BUILD) */
  failedPhase: z.enum(BUILD_PHASES).optional(),
  /** the failed phase's contexts[0].message */
  message: z.string().optional(),
  /** the failed phase's contexts[0].statusCode (default CLIENT_ERROR) */
  statusCode: z.string().optional(),
  /** the image the build ran with (default: the project's) */
  image: z.string().optional(),
  /** seconds the failed phase took (default 2; timeouts are long) */
  failedPhaseSeconds: z.number().int().nonnegative().optional(),
});

export const CodeBuildProjectSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/, { message: 'a CodeBuild project name (letters, digits, - and _; 2–255)' }),
  /** default aws/codebuild/standard:7.0 */
  image: z.string().optional(),
  /** default LINUX_CONTAINER */
  environmentType: z.string().optional(),
  /** default BUILD_GENERAL1_SMALL */
  computeType: z.string().optional(),
  /** default CODEBUILD for aws/codebuild/* images, SERVICE_ROLE otherwise */
  imagePullCredentialsType: z.enum(['CODEBUILD', 'SERVICE_ROLE']).optional(),
  environmentVariables: z.array(EnvVarSchema).optional(),
  /** the project runs in these subnets (vpcId derived from the first subnet unless given) */
  vpc: z.object({ vpcId: z.string().optional(), subnetIds: z.array(z.string()).min(1), securityGroupIds: z.array(z.string()).default([]) }).optional(),
  /** default GITHUB https://github.com/example/<name>.git with buildspec.yml from the source */
  source: z.object({ type: z.string().optional(), location: z.string().optional(), buildspec: z.string().optional() }).optional(),
  /** builds, any order (ListBuildsForProject sorts them by start time); default none */
  builds: z.array(BuildSchema).optional(),
});
export type CodeBuildProjectScenario = z.infer<typeof CodeBuildProjectSchema>;

export const CodeBuildScenarioSchema = z.object({ projects: z.array(CodeBuildProjectSchema).default([]) }).prefault({});
