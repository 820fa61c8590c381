// Scenario sections for CloudFormation, KMS and IAM (incident 001), kept apart from
// scenario.ts so the shared schema only gains three lines. Defaults that need the account,
// Region or "now" (ARNs, times) are applied by the double's world builder (world-kms-cfn-iam.ts).
import * as z from 'zod';

// Same grammar as scenario.ts's `time` (which this module cannot import: scenario.ts imports it).
const relativeTime = /^now(?:([+-])((?:\d+[dhms])+))?$/;
const time = z.string().refine((v) => relativeTime.test(v) || !Number.isNaN(new Date(v).getTime()), {
  message: 'an ISO time or now[+-]NdNhNmNs',
});

export const StackEventSchema = z.object({
  time,
  /** LogicalResourceId; the stack's own events use the stack name */
  logicalId: z.string(),
  /** ResourceType, e.g. AWS::S3::Bucket, Custom::AWS, AWS::CloudFormation::Stack */
  type: z.string(),
  /** ResourceStatus, e.g. CREATE_FAILED */
  status: z.string(),
  /** ResourceStatusReason */
  reason: z.string().optional(),
  /** PhysicalResourceId; default: the stack ARN for the stack's own events, none otherwise */
  physicalId: z.string().optional(),
  /** ResourceProperties, as CloudFormation reports them (a JSON object) */
  properties: z.record(z.string(), z.unknown()).optional(),
});

export const StackSchema = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { message: 'a stack name (letters, digits, hyphens; starts with a letter; at most 128)' }),
  status: z.string(),
  statusReason: z.string().optional(),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.string()).optional(),
  outputs: z.record(z.string(), z.string()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  /** default: the first event's time, else 1 day before now */
  creationTime: time.optional(),
  lastUpdatedTime: time.optional(),
  /** for DELETE_COMPLETE stacks; default: the last event's time */
  deletionTime: time.optional(),
  /** in any order; DescribeStackEvents returns them newest first */
  events: z.array(StackEventSchema).optional(),
});

export const KmsKeySchema = z.object({
  /** the key id (a UUID, or mrk-… for multi-Region keys) */
  id: z.string().regex(/^(mrk-)?[0-9a-f-]{32,36}$/, { message: 'a KMS key id (UUID)' }),
  /** default arn:aws:kms:REGION:ACCOUNT:key/ID */
  arn: z.string().optional(),
  manager: z.enum(['CUSTOMER', 'AWS']).default('CUSTOMER'),
  state: z.enum(['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable', 'Creating', 'Updating', 'PendingReplicaDeletion']).default('Enabled'),
  description: z.string().optional(),
  /** alias names, each starting with "alias/" */
  aliases: z.array(z.string().regex(/^alias\/[A-Za-z0-9/_-]+$/, { message: 'an alias name starting with alias/' })).default([]),
  /** the key policy "default" as a JSON object; default: the account-root statement only */
  policy: z.record(z.string(), z.unknown()).optional(),
  creationDate: time.optional(),
});

export const IamAllowSchema = z.object({
  /** an IAM role or user ARN (SimulatePrincipalPolicy's PolicySourceArn); `*` wildcards allowed */
  principal: z.string(),
  /** e.g. kms:Decrypt, kms:*, * */
  action: z.string(),
  /** a resource ARN; `*` wildcards allowed (default "*") */
  resource: z.string().default('*'),
});

export const CloudFormationScenarioSchema = z.object({ stacks: z.array(StackSchema).default([]) }).prefault({});
export const KmsScenarioSchema = z.object({ keys: z.array(KmsKeySchema).default([]) }).prefault({});
export const IamScenarioSchema = z.object({ allow: z.array(IamAllowSchema).default([]) }).prefault({});

export type StackScenario = z.infer<typeof StackSchema>;
export type KmsKeyScenario = z.infer<typeof KmsKeySchema>;
