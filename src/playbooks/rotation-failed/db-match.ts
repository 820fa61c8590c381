// Which database a secret is for, from what whybot may read: the host is in the secret's
// value, which it never reads. RDS says so for the master secrets it manages (the DB's
// MasterUserSecret, the secret's aws:rds:primaryDB* tags); otherwise a DB whose identifier
// is part of the secret's name ("prod/orders-db/app" → orders-db) is taken, and the finding
// says that it was matched by name.
import type { DbSummary } from '../../aws/rds.js';
import { sameSecretArn } from '../../aws/rotation-log.js';
import type { SecretInfo } from '../../aws/secrets.js';

export interface DbMatch {
  db: DbSummary;
  how: 'master-secret' | 'secret-tag' | 'secret-name';
}

const RDS_TAGS = ['aws:rds:primaryDBClusterArn', 'aws:rds:primaryDBInstanceArn'];

export function dbForSecret(dbs: readonly DbSummary[], secret: Pick<SecretInfo, 'arn' | 'name' | 'tags'>): DbMatch | undefined {
  const managed = dbs.find((d) => d.masterUserSecretArn !== undefined && sameSecretArn(d.masterUserSecretArn, secret.arn));
  if (managed) return { db: managed, how: 'master-secret' };
  for (const tag of RDS_TAGS) {
    const arn = secret.tags[tag];
    const tagged = arn ? dbs.find((d) => d.arn === arn || d.id === arn.slice(arn.lastIndexOf(':') + 1)) : undefined;
    if (tagged) return { db: tagged, how: 'secret-tag' };
  }
  const words = secret.name.toLowerCase().split(/[^a-z0-9-]+/);
  const named = dbs
    .filter((d) => words.some((w) => w === d.id.toLowerCase()) || words.some((w) => w.startsWith(`${d.id.toLowerCase()}-`) || w.endsWith(`-${d.id.toLowerCase()}`)))
    .sort((a, b) => b.id.length - a.id.length)[0];
  return named ? { db: named, how: 'secret-name' } : undefined;
}
