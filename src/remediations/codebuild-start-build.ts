import { getBuild, startBuild } from '../aws/codebuild.js';
import { codebuildStartBuildMeta } from './codebuild-start-build.meta.js';
import { defineAction } from './define.js';
import { pollUntil } from './types.js';

export const codebuildStartBuild = defineAction(codebuildStartBuildMeta, {
  async execute(aws, p) {
    const out = await startBuild(aws, p.project);
    return {
      done: `started ${out.buildId ?? `a build of ${p.project}`}`,
      ...(out.requestId ? { awsRequestId: out.requestId } : {}),
      ...(out.buildId ? { facts: { buildId: out.buildId } } : {}),
    };
  },
  // No reconcile: StartBuild is not idempotent, and whybot cannot tell its build from one a push started.
  async verify(aws, p, facts, opts) {
    const id = facts.buildId;
    if (!id) return { ok: false, detail: 'StartBuild returned no build id' };
    return pollUntil(async () => {
      const b = await getBuild(aws, id);
      const phase = b?.phases.find((x) => x.type === 'DOWNLOAD_SOURCE' && x.status !== undefined);
      if (!b) return { done: false, ok: false, detail: `build ${id} not visible yet` };
      if (!phase) {
        const over = b.status !== undefined && b.status !== 'IN_PROGRESS';
        return { done: over, ok: false, detail: over ? `build ${id} ended ${b.status} before DOWNLOAD_SOURCE` : `build ${id} is in ${b.currentPhase ?? 'progress'}` };
      }
      const message = phase.contexts.map((c) => c.message ?? '').filter(Boolean).join(' ');
      const ok = phase.status === 'SUCCEEDED';
      return { done: true, ok, detail: `${p.project} build #${b.number ?? '?'}: DOWNLOAD_SOURCE ${phase.status}${!ok && message ? ` — ${message.replace(/\s*\n\s*/g, ' ')}` : ''}` };
    }, opts);
  },
});
