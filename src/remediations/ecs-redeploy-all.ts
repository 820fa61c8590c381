import { defineAction } from './define.js';
import { ecsRedeployAllMeta, parseServices } from './ecs-redeploy-all.meta.js';
import { ecsRedeploy } from './ecs-redeploy.js';

export const ecsRedeployAll = defineAction(ecsRedeployAllMeta, {
  async execute(aws, p) {
    const facts: Record<string, string> = {};
    const ids: string[] = [];
    // One at a time: if one fails, the ones before it are already rolling and are reported.
    for (const s of parseServices(p.services)) {
      const out = await ecsRedeploy.execute(aws, { ...s, region: p.region, ...(p.after ? { after: p.after } : {}) });
      for (const [k, v] of Object.entries(out.facts ?? {})) facts[`${s.cluster}/${s.service}:${k}`] = v;
      if (out.awsRequestId) ids.push(out.awsRequestId);
    }
    return { done: `redeployed ${parseServices(p.services).map((s) => s.service).join(', ')}`, ...(ids.length ? { awsRequestId: ids.join(',') } : {}), facts };
  },
  async verify(aws, p, facts, opts) {
    const results = await Promise.all(
      parseServices(p.services).map(async (s) => {
        const own = Object.fromEntries(
          Object.entries(facts)
            .filter(([k]) => k.startsWith(`${s.cluster}/${s.service}:`))
            .map(([k, v]) => [k.slice(`${s.cluster}/${s.service}:`.length), v]),
        );
        const r = await ecsRedeploy.verify(aws, { ...s, region: p.region, ...(p.after ? { after: p.after } : {}) }, own, opts);
        return { s, r };
      }),
    );
    const detail = results.map((x) => `${x.s.service}: ${x.r.detail}`).join('; ');
    // one service still rolling when this process's budget ended: all of them are looked at again later
    if (results.some((x) => x.r.pending)) return { ok: false, pending: true, detail };
    return { ok: results.every((x) => x.r.ok), detail };
  },
});
