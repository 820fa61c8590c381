// EC2: Elastic IP addresses (describe, release) and NAT gateways. Used by /why-deploy-failed
// (what a failed first deploy leaves behind, incident 001 §4) and the ec2-release-eip action.
import {
  DescribeAddressesCommand,
  ReleaseAddressCommand,
  paginateDescribeNatGateways,
  type Address,
  type NatGateway,
  type Tag,
  EC2Client
} from '@aws-sdk/client-ec2';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { AwsCallError, awsCall } from './errors.js';
import { iam } from './iam.js';

const ec2Client = (aws: AwsClients) => withAbort(aws.client('ec2', (config) => new EC2Client(config)));

export const EC2_IAM = {
  describeAddresses: iam('ec2:DescribeAddresses'),
  describeNatGateways: iam('ec2:DescribeNatGateways'),
  releaseAddress: iam('ec2:ReleaseAddress'),
} as const;

export interface ElasticIp {
  allocationId: string;
  publicIp: string;
  /** set while the address is associated (with an instance or a network interface, e.g. a NAT gateway's) */
  associationId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  tags: Record<string, string>;
}

export type NatGatewayState = 'pending' | 'failed' | 'available' | 'deleting' | 'deleted';

export interface NatGatewayInfo {
  id: string;
  state: NatGatewayState | string;
  subnetId?: string;
  vpcId?: string;
  createdAt?: Date;
  failureMessage?: string;
  /** the Elastic IPs it holds */
  allocationIds: string[];
  tags: Record<string, string>;
}

const tagsOf = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']));

const fromAddress = (a: Address): ElasticIp => ({
  allocationId: a.AllocationId ?? '?',
  publicIp: a.PublicIp ?? '?',
  ...(a.AssociationId ? { associationId: a.AssociationId } : {}),
  ...(a.NetworkInterfaceId ? { networkInterfaceId: a.NetworkInterfaceId } : {}),
  ...(a.InstanceId ? { instanceId: a.InstanceId } : {}),
  tags: tagsOf(a.Tags),
});

const fromNat = (n: NatGateway): NatGatewayInfo => ({
  id: n.NatGatewayId ?? '?',
  state: n.State ?? 'unknown',
  ...(n.SubnetId ? { subnetId: n.SubnetId } : {}),
  ...(n.VpcId ? { vpcId: n.VpcId } : {}),
  ...(n.CreateTime ? { createdAt: n.CreateTime } : {}),
  ...(n.FailureMessage ? { failureMessage: n.FailureMessage } : {}),
  allocationIds: (n.NatGatewayAddresses ?? []).flatMap((a) => (a.AllocationId ? [a.AllocationId] : [])),
  tags: tagsOf(n.Tags),
});

/** Every VPC Elastic IP in the Region (DescribeAddresses is not paginated). */
export async function describeAddresses(aws: AwsClients, signal?: AbortSignal): Promise<ElasticIp[]> {
  return awsCall(EC2_IAM.describeAddresses, async () => {
    const out = await ec2Client(aws).send(new DescribeAddressesCommand({}), { abortSignal: signal });
    return (out.Addresses ?? []).map(fromAddress);
  });
}

/** One Elastic IP by allocation id, or undefined when EC2 says it does not exist (released). */
export async function describeAddress(aws: AwsClients, allocationId: string, signal?: AbortSignal): Promise<ElasticIp | undefined> {
  try {
    return await awsCall(EC2_IAM.describeAddresses, async () => {
      const out = await ec2Client(aws).send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }), { abortSignal: signal });
      const a = out.Addresses?.find((x) => x.AllocationId === allocationId);
      return a ? fromAddress(a) : undefined;
    });
  } catch (err) {
    if (err instanceof AwsCallError && err.awsCode === 'InvalidAllocationID.NotFound') return undefined;
    throw err;
  }
}

/** NAT gateways, except those already `deleted` unless asked (AWS lists them for about an hour). */
export async function describeNatGateways(aws: AwsClients, opts: { includeDeleted?: boolean; signal?: AbortSignal } = {}): Promise<NatGatewayInfo[]> {
  return awsCall(EC2_IAM.describeNatGateways, async () => {
    const all: NatGatewayInfo[] = [];
    const pages = paginateDescribeNatGateways({ client: ec2Client(aws), pageSize: 1000 }, {}, ...(opts.signal ? [{ abortSignal: opts.signal }] : []));
    for await (const page of pages) all.push(...(page.NatGateways ?? []).map(fromNat));
    return opts.includeDeleted ? all : all.filter((n) => n.state !== 'deleted');
  });
}

/** Releases an unassociated VPC Elastic IP. EC2 refuses an associated one (InvalidIPAddress.InUse). */
export async function releaseAddress(aws: AwsClients, allocationId: string): Promise<{ requestId?: string }> {
  return awsCall(EC2_IAM.releaseAddress, async () => {
    const out = await ec2Client(aws).send(new ReleaseAddressCommand({ AllocationId: allocationId }));
    return out.$metadata.requestId ? { requestId: out.$metadata.requestId } : {};
  });
}
