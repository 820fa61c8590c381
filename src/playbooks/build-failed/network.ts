// How the project's subnets reach the services its secrets come from, through rotation-failed's
// network questions (the same VPC reads, the same security-group arithmetic): which endpoint
// answers each service, and whether its security groups admit HTTPS from the build.
import { endpointGroupGap, serviceRoute, type EndpointGroupGap, type ServiceRoute } from '../vpc-path/reach.js';
import type { BuildFailedEvidence } from './evidence.js';
import { secretRefs } from './facts.js';

export interface BuildRoute {
  service: 'secretsmanager' | 'ssm';
  route: ServiceRoute;
  /** the endpoint's groups do not admit 443 from the project's subnets or groups */
  gap?: EndpointGroupGap;
}

/** For each service the build's secrets come from (Secrets Manager when none are listed). */
export function buildRoutes(e: Pick<BuildFailedEvidence, 'network' | 'input' | 'builds' | 'project'>): BuildRoute[] {
  const n = e.network;
  if (!n) return [];
  const services = [...new Set(secretRefs(e).map((r) => r.service))];
  return (services.length > 0 ? services : (['secretsmanager'] as const)).map((service) => {
    const route = serviceRoute({ input: e.input }, n, service);
    const gap = route.endpoint && route.subnets.some((s) => s.via === 'endpoint') ? endpointGroupGap(n, route.endpoint) : undefined;
    return { service, route, ...(gap ? { gap } : {}) };
  });
}

export const SERVICE_NAMES = { secretsmanager: 'Secrets Manager', ssm: 'Parameter Store (SSM)' } as const;
