// The scenario parts a rotation investigation reads (issue 14): a Lambda function's
// configuration and tags, and RDS parameter groups with their values. All optional, so
// every existing scenario stays valid unchanged; defaults are applied by the double's world
// builder (as for ssm and lambda), so scenarios tweaked in code type-check with literals.
import * as z from 'zod';

const time = z.string().refine((v) => /^now(?:[+-](?:\d+[dhms])+)?$/.test(v) || !Number.isNaN(new Date(v).getTime()), {
  message: 'an ISO time or now[+-]NdNhNmNs',
});

/** GetFunctionConfiguration's members for one function (defaults in world-rotation.ts). */
export const LambdaConfigurationSchema = {
  /** default python3.12 */
  runtime: z.string().optional(),
  /** seconds, 1–900; default 30 (the rotation templates' own default) */
  timeout: z.number().int().min(1).max(900).optional(),
  /** MB; default 128 */
  memorySize: z.number().int().min(128).max(10_240).optional(),
  /** default lambda_function.lambda_handler */
  handler: z.string().optional(),
  /** attached to a VPC: its subnets and security groups (VpcId derived unless given) */
  vpc: z
    .object({
      subnetIds: z.array(z.string()).default([]),
      securityGroupIds: z.array(z.string()).default([]),
      vpcId: z.string().optional(),
    })
    .optional(),
  /** Environment.Variables: served as AWS serves them (values included); whybot's adapter keeps the names only */
  environment: z.record(z.string(), z.string()).optional(),
  /** ListTags, e.g. { "aws:cloudformation:stack-name": "SecretsManagerRDSPostgreSQLRotationSingleUser" } */
  tags: z.record(z.string(), z.string()).optional(),
  /** LastModified; default 30 days before now */
  lastModified: time.optional(),
};

/** A DB (cluster) parameter group and the values set in it (others are not modelled). */
export const RdsParameterGroupSchema = z.object({
  name: z.string().min(1),
  /** cluster: a DB cluster parameter group (DescribeDBClusterParameters); instance: a DB parameter group (DescribeDBParameters) */
  kind: z.enum(['cluster', 'instance']),
  /** e.g. aurora-postgresql16; informational */
  family: z.string().optional(),
  /** name → value; Source "user" unless listed in engineDefaults */
  parameters: z.record(z.string(), z.string()).default({}),
  /** names among `parameters` whose Source is engine-default (not changed by the user) */
  engineDefaults: z.array(z.string()).default([]),
});
export type RdsParameterGroupScenario = z.infer<typeof RdsParameterGroupSchema>;
