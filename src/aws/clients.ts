// AWS SDK clients for one account/Region. Never module-level: every investigation gets a
// set for the target it was asked about, all sharing the process-wide limiters.
// The endpoint is left to the SDK so AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> work.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { ACMClient } from '@aws-sdk/client-acm';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53DomainsClient } from '@aws-sdk/client-route-53-domains';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { MiddlewareStack } from '@smithy/types';
import { limiterFor } from '../engine/limits.js';

export interface AwsTarget {
  region: string;
  /** named profile from ~/.aws/config; absent = the default credential chain */
  profile?: string;
  /** SDK attempts per call (throttling and 5xx are retried with backoff) */
  maxAttempts?: number;
}

interface Sendable {
  middlewareStack: MiddlewareStack<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SDK generic
}

function paced<C extends Sendable>(client: C, scope: string): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const service = (context.clientName ?? 'aws').replace(/Client$/, '');
      return limiterFor(scope, service, context.commandName ?? '*').schedule(() => next(args));
    },
    { step: 'finalizeRequest', priority: 'low', name: 'whybotRateLimit' },
  );
  return client;
}

export class AwsClients {
  private readonly cache = new Map<string, unknown>();
  readonly scope: string;

  constructor(readonly target: AwsTarget) {
    this.scope = `${target.profile ?? process.env.AWS_PROFILE ?? 'default'}@${target.region}`;
  }

  private get<C extends Sendable>(key: string, make: () => C): C {
    let client = this.cache.get(key) as C | undefined;
    if (!client) {
      client = paced(make(), this.scope);
      this.cache.set(key, client);
    }
    return client;
  }

  private get config() {
    const { region, profile, maxAttempts } = this.target;
    return { region, maxAttempts: maxAttempts ?? 3, ...(profile ? { profile } : {}) };
  }

  rds = () => this.get('rds', () => new RDSClient(this.config));
  secrets = () => this.get('secrets', () => new SecretsManagerClient(this.config));
  cloudtrail = () => this.get('cloudtrail', () => new CloudTrailClient(this.config));
  ecs = () => this.get('ecs', () => new ECSClient(this.config));
  logs = () => this.get('logs', () => new CloudWatchLogsClient(this.config));
  cloudformation = () => this.get('cloudformation', () => new CloudFormationClient(this.config));
  kms = () => this.get('kms', () => new KMSClient(this.config));
  ssm = () => this.get('ssm', () => new SSMClient(this.config));
  ec2 = () => this.get('ec2', () => new EC2Client(this.config));
  elasticache = () => this.get('elasticache', () => new ElastiCacheClient(this.config));
  /** IAM is global: the SDK signs for us-east-1 whatever the Region (unless an endpoint override is set) */
  iam = () => this.get('iam', () => new IAMClient(this.config));
  /** Route 53 is global: the Region only picks the endpoint's partition */
  route53 = () => this.get('route53', () => new Route53Client(this.config));
  /** Route 53 Domains is served from us-east-1 only, whatever the investigation's Region */
  route53Domains = () => this.get('route53domains', () => new Route53DomainsClient({ ...this.config, region: 'us-east-1' }));
  /** ACM is regional; certificates for CloudFront live in us-east-1 (pass it) */
  acm = (region?: string) => {
    const r = region ?? this.target.region;
    return this.get(`acm@${r}`, () => new ACMClient({ ...this.config, region: r }));
  };

  /** Resolves credentials once, so a missing login is reported as such, not as N failed checks. */
  async preflight(): Promise<{ ok: true } | { ok: false; message: string }> {
    try {
      const creds = await this.secrets().config.credentials();
      if (!creds.accessKeyId) return { ok: false, message: 'the credential chain returned no access key' };
      return { ok: true };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
    }
  }

  destroy(): void {
    for (const client of this.cache.values()) (client as { destroy?: () => void }).destroy?.();
    this.cache.clear();
  }
}
