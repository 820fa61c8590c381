// The parts of the double's world a rotation investigation reads (issue 14): a Lambda
// function's configuration and tags (GetFunctionConfiguration, ListTags) and RDS parameter
// groups (DescribeDBClusterParameters, DescribeDBParameters). Built by world.ts.
import type { Scenario } from '../scenario.js';
import { resolveTime } from '../scenario.js';
import { stableHex } from './ids.js';
import { ScenarioError } from './scenario-error.js';

export interface LambdaConfiguration {
  runtime: string;
  /** seconds */
  timeout: number;
  memorySize: number;
  handler: string;
  role: string;
  vpc?: { subnetIds: string[]; securityGroupIds: string[]; vpcId: string };
  /** Environment.Variables, values included (the double serves what AWS serves) */
  environment?: Record<string, string>;
  tags: Record<string, string>;
  lastModified: Date;
  codeSha256: string;
  /** set by UpdateFunctionConfiguration: LastUpdateStatus is InProgress until then, Successful after */
  updateSettlesAt?: Date;
}

type ScenarioFunction = Scenario['lambda']['functions'][number];

/** Does the scenario set any of the function's configuration (else the world keeps none)? */
export function hasLambdaConfiguration(f: ScenarioFunction): boolean {
  return Object.keys(f).some((k) => k !== 'name' && k !== 'aliases' && f[k as keyof ScenarioFunction] !== undefined);
}

export function lambdaConfiguration(scenario: Pick<Scenario, 'accountId'>, f: ScenarioFunction, now: Date): LambdaConfiguration {
  const subnets = f.vpc?.subnetIds ?? [];
  return {
    runtime: f.runtime ?? 'python3.12',
    timeout: f.timeout ?? 30,
    memorySize: f.memorySize ?? 128,
    handler: f.handler ?? 'lambda_function.lambda_handler',
    role: `arn:aws:iam::${scenario.accountId}:role/${f.name}-role`,
    ...(f.vpc && {
      vpc: {
        subnetIds: [...subnets],
        securityGroupIds: [...f.vpc.securityGroupIds],
        vpcId: f.vpc.vpcId ?? (subnets.length > 0 ? `vpc-${stableHex(`vpc:${subnets[0]}`, 17)}` : ''),
      },
    }),
    ...(f.environment && { environment: { ...f.environment } }),
    tags: { ...(f.tags ?? {}) },
    lastModified: f.lastModified === undefined ? new Date(now.getTime() - 30 * 86_400_000) : resolveTime(f.lastModified, now),
    codeSha256: Buffer.from(stableHex(`lambda-code:${f.name}`, 64), 'hex').toString('base64'),
  };
}

export interface RdsParameter {
  name: string;
  value: string;
  source: 'user' | 'engine-default' | 'system';
}

export interface RdsParameterGroup {
  name: string;
  kind: 'cluster' | 'instance';
  family: string;
  parameters: RdsParameter[];
}

/** "default.aurora-postgresql16", as RDS names an engine's default group. */
export function defaultParameterGroupName(engine: string, version: string): string {
  const major = engine.startsWith('aurora-mysql') ? '8.0' : (version.split('.')[0] ?? version);
  return `default.${engine}${major}`;
}

export function buildParameterGroups(scenario: Scenario): RdsParameterGroup[] {
  const out: RdsParameterGroup[] = [];
  for (const g of scenario.rds.parameterGroups ?? []) {
    if (out.some((h) => h.name === g.name && h.kind === g.kind)) {
      throw new ScenarioError(`scenario ${scenario.name}: ${g.kind} parameter group ${g.name} is listed twice`);
    }
    out.push({
      name: g.name,
      kind: g.kind,
      family: g.family ?? '',
      parameters: Object.entries(g.parameters).map(([name, value]) => ({
        name,
        value,
        source: g.engineDefaults.includes(name) ? 'engine-default' : 'user',
      })),
    });
  }
  return out;
}
