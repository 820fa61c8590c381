// The CloudFormation, KMS and IAM parts of the double's world (incident 001), built from the
// scenario sections in ../scenario-kms-cfn-iam.ts. Kept apart from world.ts, which only
// holds the three fields and calls these builders.
import type { Scenario } from '../scenario.js';
import { resolveTime } from '../scenario.js';
import { stableUuid } from './ids.js';
import { ScenarioError } from './scenario-error.js';

export interface CfnStackEvent {
  eventId: string;
  time: Date;
  logicalId: string;
  physicalId?: string;
  type: string;
  status: string;
  reason?: string;
  /** ResourceProperties as a JSON object */
  properties?: Record<string, unknown>;
}

export interface CfnStack {
  name: string;
  /** arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID */
  id: string;
  status: string;
  statusReason?: string;
  description?: string;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  tags: Record<string, string>;
  creationTime: Date;
  lastUpdatedTime?: Date;
  deletionTime?: Date;
  /** oldest first */
  events: CfnStackEvent[];
}

export interface KmsKey {
  id: string;
  arn: string;
  manager: 'CUSTOMER' | 'AWS';
  state: string;
  description: string;
  aliases: string[];
  /** the "default" key policy, as the JSON text GetKeyPolicy returns (PutKeyPolicy replaces it) */
  policy: string;
  creationDate: Date;
}

export interface IamAllow {
  principal: string;
  action: string;
  resource: string;
}

/** The statement every key policy created by the console or CreateKey without a policy has. */
export function defaultKeyPolicy(accountId: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
}

export function buildCloudFormation(scenario: Scenario, now: Date): { stacks: CfnStack[] } {
  const stacks: CfnStack[] = [];
  for (const s of scenario.cloudformation.stacks) {
    const id = `arn:aws:cloudformation:${scenario.region}:${scenario.accountId}:stack/${s.name}/${stableUuid(`cfn:${s.name}:${s.status}`)}`;
    const live = (x: CfnStack) => x.name === s.name && x.status !== 'DELETE_COMPLETE';
    if (s.status !== 'DELETE_COMPLETE' && stacks.some(live)) throw new ScenarioError(`scenario ${scenario.name}: stack ${s.name} is listed twice`);
    const events = (s.events ?? [])
      .map((e, index) => ({
        index,
        event: {
          eventId: e.type === 'AWS::CloudFormation::Stack' && e.logicalId === s.name ? stableUuid(`${id}:${index}`) : `${e.logicalId}-${e.status}-${stableUuid(`${id}:${index}`)}`,
          time: resolveTime(e.time, now),
          logicalId: e.logicalId,
          ...(e.physicalId !== undefined
            ? { physicalId: e.physicalId }
            : e.type === 'AWS::CloudFormation::Stack' && e.logicalId === s.name
              ? { physicalId: id }
              : {}),
          type: e.type,
          status: e.status,
          ...(e.reason !== undefined && { reason: e.reason }),
          ...(e.properties !== undefined && { properties: e.properties }),
        } satisfies CfnStackEvent,
      }))
      .sort((a, b) => a.event.time.getTime() - b.event.time.getTime() || a.index - b.index)
      .map(({ event }) => event);
    const first = events[0]?.time;
    const last = events.at(-1)?.time;
    stacks.push({
      name: s.name,
      id,
      status: s.status,
      ...(s.statusReason !== undefined && { statusReason: s.statusReason }),
      ...(s.description !== undefined && { description: s.description }),
      parameters: { ...(s.parameters ?? {}) },
      outputs: { ...(s.outputs ?? {}) },
      tags: { ...(s.tags ?? {}) },
      creationTime: s.creationTime !== undefined ? resolveTime(s.creationTime, now) : (first ?? new Date(now.getTime() - 86_400_000)),
      ...(s.lastUpdatedTime !== undefined && { lastUpdatedTime: resolveTime(s.lastUpdatedTime, now) }),
      ...(s.status === 'DELETE_COMPLETE' && {
        deletionTime: s.deletionTime !== undefined ? resolveTime(s.deletionTime, now) : (last ?? now),
      }),
      events,
    });
  }
  return { stacks };
}

export function buildKms(scenario: Scenario, now: Date): { keys: KmsKey[] } {
  const keys: KmsKey[] = [];
  const aliases = new Set<string>();
  for (const k of scenario.kms.keys) {
    if (keys.some((x) => x.id === k.id)) throw new ScenarioError(`scenario ${scenario.name}: KMS key ${k.id} is listed twice`);
    for (const a of k.aliases) {
      if (aliases.has(a)) throw new ScenarioError(`scenario ${scenario.name}: KMS alias ${a} is listed twice`);
      if (a.startsWith('alias/aws/') && k.manager !== 'AWS') throw new ScenarioError(`scenario ${scenario.name}: ${a} is reserved for AWS managed keys`);
      aliases.add(a);
    }
    keys.push({
      id: k.id,
      arn: k.arn ?? `arn:aws:kms:${scenario.region}:${scenario.accountId}:key/${k.id}`,
      manager: k.manager,
      state: k.state,
      description: k.description ?? (k.manager === 'AWS' ? `Default key that protects my ${k.aliases[0]?.split('/')[2] ?? ''} data when no other key is defined` : ''),
      aliases: [...k.aliases],
      policy: JSON.stringify(k.policy ?? defaultKeyPolicy(scenario.accountId), null, 2),
      creationDate: k.creationDate !== undefined ? resolveTime(k.creationDate, now) : new Date(now.getTime() - 30 * 86_400_000),
    });
  }
  return { keys };
}

export function buildIam(scenario: Scenario): { allow: IamAllow[] } {
  return { allow: scenario.iam.allow.map((a) => ({ ...a })) };
}
