// Guidance-only remediations of /why-decrypt-denied (no button: whybot never re-bootstraps
// an environment or rewrites a parameter's value). They exist as CLI commands for "Show CLI
// commands" and the terminal output.
import * as z from 'zod';
import { defineGuidance } from './define.js';
import { shellQuote as q } from './shell.js';

const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/);

export const CdkRebootstrapParams = z.object({
  region,
  accountId: z.string().regex(/^\d{12}$/),
  qualifier: z.string().regex(/^[a-z0-9]{1,10}$/).default('hnb659fds'),
});

export const SsmRecreateParameterParams = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.\-/]{1,2048}$/),
  region,
});

export const cdkRebootstrap = defineGuidance({
  id: 'cdk-rebootstrap',
  params: CdkRebootstrapParams,
  cli: (p) => {
    const qualifier = p.qualifier === 'hnb659fds' ? '' : ` --qualifier ${q(p.qualifier)}`;
    return [
      `# incident 001 §1: bootstrap with the AWS managed S3 key instead of a hand-made one`,
      `cdk bootstrap aws://${p.accountId}/${p.region} --bootstrap-kms-key-id AWS_MANAGED_KEY${qualifier}`,
      `aws cloudformation describe-stacks --region ${q(p.region)} --stack-name CDKToolkit --query "Stacks[0].Parameters[?ParameterKey=='FileAssetsBucketKmsKeyId'].ParameterValue" --output text`,
    ];
  },
});

/**
 * Re-writes a SecureString under alias/aws/ssm without changing a byte of its value.
 *
 * The value travels only as a JSON string: get-parameter prints `{"Name": …, "Value": …}`
 * (a JMESPath multiselect, `--output json`) into a private file, and put-parameter reads that
 * file back with `--cli-input-json`. JSON escapes every character of the value (newlines,
 * trailing spaces, quotes, non-ASCII), so what is parsed is exactly what was read; the
 * newline after the JSON document is outside the string. Never `--output text > file` then
 * `--value file://file` (text output ends with a newline that file:// keeps: the stored
 * password gains a "\n"), nor `$(…)` (which drops the value's own trailing newlines).
 */
export const ssmRecreateParameter = defineGuidance({
  id: 'ssm-recreate-parameter',
  params: SsmRecreateParameterParams,
  cli: (p) => {
    const base = `--region ${q(p.region)} --name ${q(p.name)}`;
    return [
      `# incident 001 §2: write the value again under alias/aws/ssm (run as someone who may decrypt it; the value never reaches the terminal)`,
      `# the value stays a JSON string from get to put, so not a byte of it changes (no trailing newline added)`,
      `umask 077; tmp="$(mktemp)"`,
      `aws ssm get-parameter ${base} --with-decryption --query '{Name: Parameter.Name, Value: Parameter.Value}' --output json > "$tmp"`,
      `aws ssm put-parameter --region ${q(p.region)} --cli-input-json "file://$tmp" --type SecureString --key-id alias/aws/ssm --overwrite`,
      `rm -f "$tmp"`,
      `aws ssm describe-parameters --region ${q(p.region)} --parameter-filters Key=Name,Values=${q(p.name)} --query 'Parameters[0].KeyId'`,
    ];
  },
});
