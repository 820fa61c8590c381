import { describeAddress, releaseAddress } from '../aws/ec2.js';
import { AwsCallError } from '../aws/errors.js';
import { defineAction } from './define.js';
import { ec2ReleaseEipMeta } from './ec2-release-eip.meta.js';
import { pollUntil } from './types.js';

/** A refusal: the address is not what the confirmation promised (associated, already gone). */
export class ReleaseRefused extends Error {
  override readonly name = 'ReleaseRefused';
}

export const ec2ReleaseEip = defineAction(ec2ReleaseEipMeta, {
  async execute(aws, p) {
    const name = p.publicIp ?? p.allocationId;
    // Checked just before the write: the finding may be minutes old.
    const address = await describeAddress(aws, p.allocationId);
    if (!address) throw new ReleaseRefused(`refused: ${name} (${p.allocationId}) no longer exists in ${p.region}; nothing to release`);
    if (address.associationId)
      throw new ReleaseRefused(
        `refused: ${name} is associated (${address.associationId}${address.networkInterfaceId ? ` with ${address.networkInterfaceId}` : ''}${address.instanceId ? `, instance ${address.instanceId}` : ''}); whybot releases only unassociated addresses`,
      );
    try {
      const out = await releaseAddress(aws, p.allocationId);
      return { done: `released ${name}`, ...(out.requestId ? { awsRequestId: out.requestId } : {}), facts: { allocationId: p.allocationId } };
    } catch (err) {
      // Associated between the check and the write: EC2 refuses, and so do we.
      if (err instanceof AwsCallError && err.awsCode === 'InvalidIPAddress.InUse')
        throw new ReleaseRefused(`refused by EC2: ${name} became associated; whybot releases only unassociated addresses`);
      throw err;
    }
  },
  async verify(aws, p, _facts, opts) {
    return pollUntil(async () => {
      const address = await describeAddress(aws, p.allocationId);
      if (!address) return { done: true, ok: true, detail: `DescribeAddresses no longer lists ${p.allocationId}` };
      return { done: false, ok: false, detail: `${p.allocationId} is still listed${address.associationId ? ` (associated: ${address.associationId})` : ''}` };
    }, opts);
  },
});
