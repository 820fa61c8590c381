// WHYBOT_AUTO_REDEPLOY: `cluster/service` patterns, `*` matching any run of characters
// (`prod/*` or `*` + `/api`). A bare `service` pattern means that service in any cluster.
export function matchesPolicy(patterns: readonly string[], cluster: string, service: string): boolean {
  return patterns.some((p) => {
    const [c, s] = p.includes('/') ? (p.split('/', 2) as [string, string]) : ['*', p];
    return glob(c).test(cluster) && glob(s).test(service);
  });
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
