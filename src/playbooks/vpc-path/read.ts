// The VPC reads behind the `network` checks of rotation-failed and build-failed: everything
// between a workload's subnets and the AWS APIs it calls (Secrets Manager, RDS, SSM): the VPC,
// route tables, network ACLs, the workload's and the endpoints' security groups, and the VPC
// endpoints themselves. Read-only; the questions asked of them are in reach.ts.
import type { AwsClients } from '../../aws/clients.js';
import { endpointServiceName } from '../../aws/network-path.js';
import {
  describeNetworkAcls,
  describeRouteTables,
  describeSecurityGroups,
  describeSubnets,
  describeVpcEndpoints,
  describeVpcs,
  VPC_IAM,
  type NetworkAclInfo,
  type RouteTableInfo,
  type SecurityGroupInfo,
  type SubnetInfo,
  type VpcEndpointInfo,
  type VpcInfo,
} from '../../aws/vpc.js';

export const NETWORK_IAM = [
  VPC_IAM.describeSubnets,
  VPC_IAM.describeVpcs,
  VPC_IAM.describeRouteTables,
  VPC_IAM.describeNetworkAcls,
  VPC_IAM.describeSecurityGroups,
  VPC_IAM.describeVpcEndpoints,
] as const;
export const DB_NETWORK_IAM = [VPC_IAM.describeSecurityGroups] as const;

/** The services a rotation function calls: Secrets Manager always, RDS for alternating users with an RDS-managed superuser. */
export const ROTATION_SERVICES = ['secretsmanager', 'rds'] as const;

export interface NetworkPath {
  vpcId: string;
  vpc?: VpcInfo;
  /** the function's subnets */
  subnets: SubnetInfo[];
  /** the function's security groups */
  functionGroups: SecurityGroupInfo[];
  routeTables: RouteTableInfo[];
  /** the ACLs of the function's subnets and of the endpoints' subnets */
  acls: NetworkAclInfo[];
  /** the VPC's endpoints for Secrets Manager and RDS */
  endpoints: VpcEndpointInfo[];
  /** the endpoints' subnets */
  endpointSubnets: SubnetInfo[];
  /** the endpoints' security groups */
  endpointGroups: SecurityGroupInfo[];
}

export async function readNetworkPath(
  aws: AwsClients,
  region: string,
  fnVpc: { vpcId?: string; subnetIds: string[]; securityGroupIds: string[] },
  signal?: AbortSignal,
  /** the services whose endpoints to read (build-failed: secretsmanager and ssm) */
  services: readonly string[] = ROTATION_SERVICES,
): Promise<NetworkPath> {
  const subnets = await describeSubnets(aws, fnVpc.subnetIds, signal);
  const vpcId = fnVpc.vpcId ?? subnets[0]?.vpcId ?? '';
  const [vpcs, routeTables, functionGroups, endpoints] = await Promise.all([
    vpcId ? describeVpcs(aws, [vpcId], signal) : Promise.resolve([]),
    vpcId ? describeRouteTables(aws, vpcId, signal) : Promise.resolve([]),
    describeSecurityGroups(aws, fnVpc.securityGroupIds, signal),
    vpcId ? describeVpcEndpoints(aws, { vpcId, serviceNames: services.map((s) => endpointServiceName(region, s)) }, signal) : Promise.resolve([]),
  ]);
  const endpointSubnetIds = [...new Set(endpoints.flatMap((x) => x.subnetIds))];
  const endpointGroupIds = [...new Set(endpoints.flatMap((x) => x.securityGroupIds))];
  const [acls, endpointSubnets, endpointGroups] = await Promise.all([
    describeNetworkAcls(aws, [...new Set([...fnVpc.subnetIds, ...endpointSubnetIds])], signal),
    describeSubnets(aws, endpointSubnetIds.filter((id) => !fnVpc.subnetIds.includes(id)), signal),
    describeSecurityGroups(aws, endpointGroupIds, signal),
  ]);
  return {
    vpcId,
    ...(vpcs[0] ? { vpc: vpcs[0] } : {}),
    subnets,
    functionGroups,
    routeTables,
    acls,
    endpoints,
    endpointSubnets: [...subnets.filter((s) => endpointSubnetIds.includes(s.id)), ...endpointSubnets],
    endpointGroups,
  };
}

/** The DB's VPC security groups. */
export async function readDbGroups(aws: AwsClients, groupIds: readonly string[], signal?: AbortSignal): Promise<SecurityGroupInfo[]> {
  return describeSecurityGroups(aws, groupIds, signal);
}
