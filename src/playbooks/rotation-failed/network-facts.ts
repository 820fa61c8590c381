// Whether the DB's security groups admit the rotation function (incident 002's "cannot log in
// after a long invocation"), on top of the shared VPC path questions in ../vpc-path/reach.ts.
import { anySgAllowsIngress } from '../../aws/network-path.js';
import type { SubnetInfo } from '../../aws/vpc.js';
import { functionEgressShut } from '../vpc-path/reach.js';
import type { NetworkPath } from '../vpc-path/read.js';
import type { RotationFailedEvidence } from './evidence.js';
import { DEFAULT_PORTS, engineOf } from './facts.js';

export interface DbAdmission {
  port: number;
  /** the function's subnets the DB's groups do not admit (by the function's groups or the subnet's CIDR) */
  shutSubnets: SubnetInfo[];
  /** the function's groups do not let the port out toward the DB */
  egressShut: boolean;
  /** the DB's first group: where a fix goes */
  dbGroupId?: string;
}

/** Whether the DB's security groups admit the function on the DB's port, and the function's let it out. */
export function dbAdmission(e: Pick<RotationFailedEvidence, 'db' | 'dbGroups' | 'fn' | 'setup'>, n: NetworkPath): DbAdmission | undefined {
  const db = e.db?.db;
  const port = db?.port ?? DEFAULT_PORTS[engineOf(e)];
  if (!db || !e.dbGroups || port === undefined) return undefined;
  const fnGroups = n.functionGroups.map((g) => g.id);
  const shutSubnets = n.subnets.filter((s) => !anySgAllowsIngress(e.dbGroups!, port, { groupIds: fnGroups, cidr: s.cidrBlock }).allowed);
  const vpcCidr = n.vpc?.cidrBlocks[0] ?? '0.0.0.0/0';
  const egressShut = functionEgressShut(n, { groupIds: db.securityGroupIds ?? [], cidr: vpcCidr }, port);
  return { port, shutSubnets, egressShut, ...(db.securityGroupIds?.[0] ? { dbGroupId: db.securityGroupIds[0] } : {}) };
}
