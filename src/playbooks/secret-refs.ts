// Does an ECS `secrets[].valueFrom` point at this Secrets Manager secret?
// valueFrom may be the full ARN, the ARN plus `:json-key:version-stage:version-id`, or a
// partial ARN without the random 6-character suffix (AWS-FACTS.md, Secrets Manager).

export interface SecretIdentity {
  /** full ARN when known */
  arn?: string;
  name: string;
}

const secretArn = /^arn:(aws[\w-]*):secretsmanager:([\w-]+):(\d{12}):secret:([^:]+)(?::.*)?$/;

/** Name of a secret from its full ARN (drops the random `-AbC123` suffix). */
export function secretNameFromArn(arn: string): string | undefined {
  const m = secretArn.exec(arn);
  return m?.[4]?.replace(/-[A-Za-z0-9]{6}$/, '');
}

export function identityOf(idOrArn: string): SecretIdentity {
  return idOrArn.startsWith('arn:')
    ? { arn: idOrArn, name: secretNameFromArn(idOrArn) ?? idOrArn }
    : { name: idOrArn };
}

export function referencesSecret(valueFrom: string, secret: SecretIdentity): boolean {
  const ref = secretArn.exec(valueFrom);
  if (!ref) return valueFrom === secret.name; // bare name
  const [, partition, region, account, resource] = ref;
  if (secret.arn) {
    const own = secretArn.exec(secret.arn);
    if (!own) return false;
    if (own[1] !== partition || own[2] !== region || own[3] !== account) return false;
    return resource === own[4] || resource === secret.name;
  }
  return resource === secret.name || resource?.replace(/-[A-Za-z0-9]{6}$/, '') === secret.name;
}

/** Is a CloudTrail secret id (ARN, partial ARN or name) this secret? */
export function sameSecret(id: string, secret: SecretIdentity): boolean {
  if (secret.arn && id === secret.arn) return true;
  if (id === secret.name) return true;
  return referencesSecret(id, secret);
}
