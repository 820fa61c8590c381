// The scenarios as the sandbox page and `whybot demo` name them: every scenarios/*.json, with a
// title in words and the command that shows what the scenario is about.
import { listScenarios, loadScenario } from '../scenario.js';

export interface ScenarioSummary {
  name: string;
  title: string;
  description: string;
  /** the slash command to try first, e.g. "/why-db-down prod-db" */
  command: string;
}

interface Known {
  title: string;
  playbook: string;
  target?: string;
}

const KNOWN: Record<string, Known> = {
  'incident-003': { title: 'Database password rotated under running tasks (incident 003)', playbook: 'db-down', target: 'prod-db' },
  'rotation-failed': { title: 'Database password rotation failed half-way', playbook: 'db-down', target: 'prod-db' },
  'db-stopped': { title: 'Database stopped by an operator', playbook: 'db-down', target: 'prod-db' },
  'no-permissions': { title: 'Incident 003 seen by a role with missing permissions', playbook: 'db-down', target: 'prod-db' },
  healthy: { title: 'Healthy: rotation followed by a redeploy', playbook: 'db-down', target: 'prod-db' },
  'many-dbs': { title: 'Healthy: several databases to choose from', playbook: 'db-down', target: 'staging-db' },
  'incident-001-kms': { title: 'KMS key policy denies the CDK deploy roles (incident 001)', playbook: 'decrypt-denied', target: 'alias/s3-managed-key' },
  'healthy-kms': { title: 'Healthy: KMS keys and CDK bootstrap', playbook: 'decrypt-denied', target: 'CDKToolkit' },
  'incident-001-dns': { title: 'Certificate stuck pending: duplicate hosted zones (incident 001)', playbook: 'cert-pending', target: 'example-shop.com' },
  'dns-healthy': { title: 'Healthy: one hosted zone, certificate issued', playbook: 'cert-pending', target: 'example-shop.com' },
  'incident-001-deploy': { title: 'First CDK deploy failed and left resources behind (incident 001)', playbook: 'deploy-failed', target: 'MyAppStack' },
  'deploy-healthy': { title: 'Healthy: the last deploy completed', playbook: 'deploy-failed', target: 'MyAppStack' },
  'incident-002-no-endpoint': { title: 'Rotation function cannot reach Secrets Manager: no endpoint, no NAT (incident 002)', playbook: 'rotation-failed', target: 'prod/orders-db/app' },
  'incident-002-stalled': { title: 'Rotation stops after createSecret: endpoint security group (incident 002)', playbook: 'rotation-failed', target: 'prod/orders-db/app' },
  'incident-002-scram': { title: 'Rotation function too old for SCRAM passwords (incident 002)', playbook: 'rotation-failed', target: 'prod/orders-db/app' },
  'rotation-healthy': { title: 'Healthy: the last rotation succeeded', playbook: 'rotation-failed', target: 'prod/orders-db/app' },
  'incident-000': { title: 'CodeBuild x509 in DOWNLOAD_SOURCE: slim image, endpoint SG shut (incident 000)', playbook: 'build-failed', target: 'web-app-build' },
  'build-healthy': { title: 'Healthy: the last CodeBuild build succeeded', playbook: 'build-failed', target: 'web-app-build' },
};

export const DEFAULT_SCENARIO = 'incident-003';

/** The playbook and target a scenario is about (db-down prod-db when unknown). */
export function defaultInvocation(name: string): { playbook: string; target?: string } {
  const k = KNOWN[name];
  if (!k) return { playbook: 'db-down', target: 'prod-db' };
  return { playbook: k.playbook, ...(k.target ? { target: k.target } : {}) };
}

export function titleOf(name: string): string {
  return KNOWN[name]?.title ?? name.replace(/[-_]+/g, ' ');
}

export function commandOf(name: string): string {
  const { playbook, target } = defaultInvocation(name);
  return `/why-${playbook}${target ? ` ${target}` : ''}`;
}

export async function scenarioSummary(name: string): Promise<ScenarioSummary> {
  const s = await loadScenario(name);
  return { name, title: titleOf(name), description: s.description, command: commandOf(name) };
}

/** Every scenario in scenarios/, known ones first in the order above, then the rest by name. */
export async function listScenarioSummaries(): Promise<ScenarioSummary[]> {
  const names = await listScenarios();
  const order = Object.keys(KNOWN);
  names.sort((a, b) => (order.indexOf(a) === -1 ? 1e3 : order.indexOf(a)) - (order.indexOf(b) === -1 ? 1e3 : order.indexOf(b)) || a.localeCompare(b));
  return Promise.all(names.map(scenarioSummary));
}
