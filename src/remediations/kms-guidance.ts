// Guidance-only remediations of /why-decrypt-denied (no button: whybot never re-bootstraps
// an environment or rewrites a parameter's value). They exist as CLI commands for "Show CLI
// commands" and the terminal output.
import * as z from 'zod';

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

/** Single-quotes a value for POSIX shells (same rule as cli-commands.ts). */
const q = (value: string) => (/^[A-Za-z0-9_/.:=@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

export function cdkRebootstrapCommands(raw: unknown): string[] {
  const p = CdkRebootstrapParams.parse(raw);
  const qualifier = p.qualifier === 'hnb659fds' ? '' : ` --qualifier ${q(p.qualifier)}`;
  return [
    `# incident 001 §1: bootstrap with the AWS managed S3 key instead of a hand-made one`,
    `cdk bootstrap aws://${p.accountId}/${p.region} --bootstrap-kms-key-id AWS_MANAGED_KEY${qualifier}`,
    `aws cloudformation describe-stacks --region ${q(p.region)} --stack-name CDKToolkit --query "Stacks[0].Parameters[?ParameterKey=='FileAssetsBucketKmsKeyId'].ParameterValue" --output text`,
  ];
}

export function ssmRecreateParameterCommands(raw: unknown): string[] {
  const p = SsmRecreateParameterParams.parse(raw);
  const base = `--region ${q(p.region)} --name ${q(p.name)}`;
  return [
    `# incident 001 §2: write the value again under alias/aws/ssm (run as someone who may decrypt it; the value never reaches the terminal)`,
    `umask 077; tmp="$(mktemp)"`,
    `aws ssm get-parameter ${base} --with-decryption --query Parameter.Value --output text > "$tmp"`,
    `aws ssm put-parameter ${base} --type SecureString --key-id alias/aws/ssm --overwrite --value "file://$tmp"`,
    `rm -f "$tmp"`,
    `aws ssm describe-parameters --region ${q(p.region)} --parameter-filters Key=Name,Values=${q(p.name)} --query 'Parameters[0].KeyId'`,
  ];
}
