// The questions incident 000 asks of the evidence, answered once for every rule: which build
// failed and where, what its message says (x509, a timeout, a denied or missing secret), what
// image it ran, which secrets CodeBuild had to resolve before the build container ran, and
// which buildspec install commands tried (and could not) help.
import type { BuildInfo, BuildPhase } from '../../aws/codebuild.js';
import { caInstallCommands } from '../../aws/buildspec.js';
import { isCuratedImage } from '../../aws/codebuild-images.js';
import type { BuildFailedEvidence } from './evidence.js';

export { fullVariant, MANAGED_IMAGE } from '../../aws/codebuild-images.js';

const FAILED = new Set(['FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED']);

/** The newest build that finished (builds are newest first). */
export const latestFinished = (e: Pick<BuildFailedEvidence, 'builds'>): BuildInfo | undefined => e.builds.find((b) => b.status && b.status !== 'IN_PROGRESS');

export interface FailedBuild {
  build: BuildInfo;
  phase: BuildPhase;
  /** the phase's context messages, joined (redacted by the adapter) */
  message: string;
  /** how many finished builds in a row (newest first) failed in the same phase */
  streak: number;
}

/** The first phase of a build that did not succeed. */
export const firstFailedPhase = (b: BuildInfo): BuildPhase | undefined => b.phases.find((p) => p.status !== undefined && FAILED.has(p.status));

export const messageOf = (p: BuildPhase): string => p.contexts.map((c) => c.message ?? '').filter(Boolean).join('\n');

/** The latest finished build when it failed, with its first failed phase. */
export function latestFailure(e: Pick<BuildFailedEvidence, 'builds'>): FailedBuild | undefined {
  const build = latestFinished(e);
  if (!build || build.status === 'SUCCEEDED') return undefined;
  const phase = firstFailedPhase(build) ?? { type: build.currentPhase ?? 'UNKNOWN', status: build.status, contexts: [] };
  let streak = 0;
  for (const b of e.builds.filter((x) => x.status && x.status !== 'IN_PROGRESS')) {
    if (b.status === 'SUCCEEDED' || firstFailedPhase(b)?.type !== phase.type) break;
    streak++;
  }
  return { build, phase, message: messageOf(phase), streak: Math.max(1, streak) };
}

/** The latest failure, when it happened in DOWNLOAD_SOURCE: where CodeBuild resolves secret environment variables. */
export function downloadSourceFailure(e: Pick<BuildFailedEvidence, 'builds'>): FailedBuild | undefined {
  const f = latestFailure(e);
  return f?.phase.type === 'DOWNLOAD_SOURCE' ? f : undefined;
}

export const isX509 = (m: string) => /x509:|certificate signed by unknown authority|failed to verify certificate|unable to get local issuer certificate/i.test(m);
export const isTimeout = (m: string) => /i\/o timeout|timed? ?out|deadline exceeded|connect: connection (refused|timed out)|no route to host|Client\.Timeout/i.test(m);
export const isSecretError = (m: string) => /Secrets Manager Error|secretsmanager|Parameter Store|ssm:|parameter|kms:/i.test(m);

export type ImageKind = 'managed' | 'slim' | 'custom';

/** aws/codebuild/* images carry a full CA bundle; slim/alpine/distroless ones often do not. */
export function imageKind(image: string | undefined): ImageKind {
  if (!image || isCuratedImage(image)) return 'managed';
  return /slim|alpine|distroless|busybox|minimal/i.test(image) ? 'slim' : 'custom';
}

export interface SecretRef {
  name: string;
  service: 'secretsmanager' | 'ssm';
  reference: string;
  /** the project's environment, or the buildspec's env section */
  from: 'environment' | 'buildspec';
}

/** The secrets CodeBuild resolves before the build container runs, from the failed (or latest) build, else the project. */
export function secretRefs(e: Pick<BuildFailedEvidence, 'builds' | 'project'>): SecretRef[] {
  const b = latestFailure(e)?.build ?? e.builds[0];
  const env = b?.environment ?? e.project?.environment;
  const spec = (b?.source.buildspec ? b.source : e.project?.source)?.buildspec;
  const out: SecretRef[] = [];
  for (const v of env?.variables ?? [])
    if (v.reference !== undefined) out.push({ name: v.name, service: v.type === 'PARAMETER_STORE' ? 'ssm' : 'secretsmanager', reference: v.reference, from: 'environment' });
  for (const [name, reference] of Object.entries(spec?.secretsManager ?? {})) out.push({ name, service: 'secretsmanager', reference, from: 'buildspec' });
  for (const [name, reference] of Object.entries(spec?.parameterStore ?? {})) out.push({ name, service: 'ssm', reference, from: 'buildspec' });
  return out;
}

/** The install commands that add CA certificates (they run after DOWNLOAD_SOURCE, so they cannot help). */
export function caInstalls(e: Pick<BuildFailedEvidence, 'builds' | 'project'>): string[] {
  const b = latestFailure(e)?.build ?? e.builds[0];
  const spec = (b?.source.buildspec ? b.source : e.project?.source)?.buildspec;
  return caInstallCommands(spec?.installCommands ?? []);
}

/** The build's image (what ran), else the project's. */
export const imageOf = (e: Pick<BuildFailedEvidence, 'builds' | 'project'>, b?: BuildInfo) => b?.environment.image ?? e.project?.environment.image;

/** "#12 (web-app:abc…)" */
export const buildName = (b: BuildInfo) => (b.number !== undefined ? `build #${b.number}` : `build ${b.id}`);

/** The message on one line (CodeBuild's messages wrap: "…send request failed\ncaused by: …x509…"). */
export const firstLine = (m: string) => m.replace(/\s*\n\s*/g, ' ').trim();
