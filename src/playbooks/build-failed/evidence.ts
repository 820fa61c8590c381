// What build-failed asks AWS, in incident 000's order, and nothing it concludes: the project
// (image, VPC, environment variables: plaintext names only, secret references), its latest
// builds with their phases and messages, and — for a project in a VPC — the network path from
// its subnets to Secrets Manager and Parameter Store (endpoints, their security groups, routes).
import type { AwsClients } from '../../aws/clients.js';
import { CODEBUILD_IAM, getBuilds, getProject, latestBuildIds, type BuildInfo, type ProjectInfo } from '../../aws/codebuild.js';
import { AwsCallError } from '../../aws/errors.js';
import { Investigation, Skip } from '../../engine/investigation.js';
import type { CheckResult } from '../../findings.js';
import { defineChecks, rulesFor, type CheckIdOf } from '../define.js';
import type { PlaybookInput, RunOptions } from '../types.js';
import { NETWORK_IAM, readNetworkPath, type NetworkPath } from '../vpc-path/read.js';

export const CHECKS = defineChecks([
  { id: 'project', title: 'CodeBuild project (image, VPC, environment variables)', iam: [CODEBUILD_IAM.batchGetProjects] },
  { id: 'builds', title: 'Latest builds: phases and their messages', iam: [CODEBUILD_IAM.listBuildsForProject, CODEBUILD_IAM.batchGetBuilds] },
  { id: 'network', title: 'Network path from the project’s subnets to Secrets Manager and Parameter Store (endpoints, security groups, routes)', iam: NETWORK_IAM },
] as const);
export type CheckId = CheckIdOf<typeof CHECKS>;

/** The services a build's secret environment variables are resolved from. */
export const SECRET_SERVICES = ['secretsmanager', 'ssm'] as const;

export interface BuildFailedEvidence {
  input: PlaybookInput;
  now: Date;
  project?: ProjectInfo;
  /** BatchGetProjects does not know the project */
  projectMissing?: boolean;
  /** newest first */
  builds: BuildInfo[];
  network?: NetworkPath;
  checks: CheckResult[];
}

/** Defines one of build-failed's rules (rules/*.ts). */
export const rule = rulesFor<BuildFailedEvidence, CheckId>();

export async function gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<BuildFailedEvidence> {
  const now = opts.now?.() ?? new Date();
  const inv = new Investigation(CHECKS, opts);
  const e: BuildFailedEvidence = { input, now, builds: [], checks: [] };

  // The builds do not depend on the project's settings: read them while BatchGetProjects answers.
  const builds = inv.run('builds', async (signal) => {
    try {
      return await getBuilds(aws, await latestBuildIds(aws, input.target, signal), signal);
    } catch (err) {
      if (err instanceof AwsCallError && err.kind === 'not-found') return new Skip(`no CodeBuild project named ${input.target} in ${input.region}`);
      throw err;
    }
  });
  const projectOut = await inv.run('project', async (signal) => {
    const p = await getProject(aws, input.target, signal);
    if (!p) {
      e.projectMissing = true;
      return new Skip(`no CodeBuild project named ${input.target} in ${input.region}`);
    }
    return p;
  });
  if (projectOut.ok) e.project = projectOut.value;

  const vpc = e.project?.vpc;
  const network = vpc
    ? inv.run('network', (signal) => readNetworkPath(aws, input.region, vpc, signal, SECRET_SERVICES))
    : Promise.resolve(
        inv.skip('network', e.project ? 'the project is not in a VPC: its builds call the services’ public endpoints' : e.projectMissing ? 'no such project' : 'the project could not be read'),
      );

  const [buildsOut, networkOut] = await Promise.all([builds, network]);
  if (buildsOut.ok) e.builds = buildsOut.value;
  if (networkOut.ok) e.network = networkOut.value;
  e.checks = inv.results();
  return e;
}
