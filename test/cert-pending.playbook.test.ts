// The cert-pending playbook against the AWS double through the real SDK clients (Route 53,
// Route 53 Domains in us-east-1, ACM in the Region and us-east-1): incident 001 §3 must end
// in "the validation CNAME is in the zone nobody asks", and the remediation must write one
// UPSERT into the delegated zone only.
import { afterEach, describe, expect, it } from 'vitest';
import { PlaybookResultSchema, type PlaybookResult } from '../src/findings.js';
import certPending, { createCertPending } from '../src/playbooks/cert-pending/index.js';
import { PLAYBOOK_CATALOG } from '../src/playbooks/catalog.js';
import { loadPlaybook } from '../src/playbooks/index.js';
import { cliCommands } from '../src/remediations/cli-commands.js';
import { remediations } from '../src/remediations/index.js';
import { actionMetas } from '../src/remediations/metas.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { Fault, Scenario } from '../src/sandbox/scenario.js';
import { awsWorld, clientsFor } from './helpers/harness.js';

const DOMAIN = 'example-shop.com';
const REAL = 'Z08247963J2TQ4ZQ0UK1B';
const ORPHAN = 'Z03117522FPLN1Z9XDJZ3';
const ALB_CERT = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b';
const CDN_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d';
const ALB_RECORD = '_5b1f0c2d9e8a7b6c5d4e3f2a1b0c9d8e.example-shop.com.';
const ALB_VALUE = '_9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49.zfyfvmchrl.acm-validations.aws.';

let double: AwsDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

interface Options {
  tweak?: (s: Scenario) => void;
  faults?: Fault[];
  playbook?: typeof certPending;
  target?: string;
}

async function investigate(scenarioName: string, o: Options = {}) {
  const { aws, scenario } = await awsWorld(scenarioName, o.tweak);
  double = aws;
  for (const f of o.faults ?? []) aws.inject(f);
  const clients = clientsFor(scenario.region);
  try {
    const result = await (o.playbook ?? certPending).run(clients, { target: o.target ?? DOMAIN, region: scenario.region, hours: 24 }, { timeoutMs: 5_000 });
    return { result: PlaybookResultSchema.parse(result), aws, clients: clientsFor(scenario.region), scenario };
  } finally {
    clients.destroy();
  }
}

const ids = (r: PlaybookResult) => r.findings.map((f) => f.id);
const check = (r: PlaybookResult, id: string) => r.checks.find((c) => c.id === id);

describe('cert-pending on incident 001 §3 (two zones named example-shop.com)', () => {
  it('finds the duplicate zones, the orphan and both validation CNAMEs in it', async () => {
    const { result, aws } = await investigate('incident-001-dns');
    expect(ids(result)).toEqual([
      'validation-record-in-orphan-zone',
      'validation-record-in-orphan-zone',
      'duplicate-hosted-zones',
      'ns-mismatch',
    ]);
    expect(result.verdict.severity).toBe('critical');
    expect(result.verdict.summary).toBe(
      `Likely cause: ${DOMAIN} has 2 public hosted zones and ACM’s validation CNAMEs are in ${ORPHAN}, which the registrar does not point at; ` +
        `the delegated zone ${REAL} lacks them, so 2 certificates stay PENDING_VALIDATION.`,
    );

    const [alb, cdn] = result.findings;
    expect(alb!.title).toMatch(new RegExp(`for example-shop.com, \\*.example-shop.com is in hosted zone ${ORPHAN}`));
    expect(cdn!.title).toMatch(/for cdn.example-shop.com is in hosted zone/);
    expect(alb!.remediations.map((r) => r.id)).toEqual(['route53-validation-record', 'show-cli']);
    expect(alb!.remediations[0]!.params).toEqual({
      zoneId: REAL,
      zoneName: `${DOMAIN}.`,
      recordName: ALB_RECORD,
      recordValue: ALB_VALUE,
      ttl: 300,
      certificateArn: ALB_CERT,
      region: 'ap-northeast-1',
    });
    // The CloudFront certificate was found in us-east-1; its record goes to the same zone.
    expect(cdn!.remediations[0]!.params).toMatchObject({ zoneId: REAL, certificateArn: CDN_CERT, region: 'us-east-1' });

    const dup = result.findings.find((f) => f.id === 'duplicate-hosted-zones')!;
    expect(dup.severity).toBe('warning');
    expect(dup.detail).toMatch(/never does this itself|never seen/);
    expect(dup.remediations).toEqual([]); // orphan removal is guidance only
    const ns = result.findings.find((f) => f.id === 'ns-mismatch')!;
    expect(ns.title).toContain(ORPHAN);
    expect(ns.severity).toBe('warning');

    expect(result.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'hosted-zones:ok',
      'zone-name-servers:ok',
      'registrar:ok',
      'public-ns:skipped',
      'certificates:ok',
      'certificates-us-east-1:ok',
      'validation-records:ok',
    ]);
    expect(check(result, 'public-ns')!.reason).toMatch(/not needed/);
    expect(result.timeline.some((t) => t.source === 'ACM' && /requested in us-east-1/.test(t.text))).toBe(true);
    expect(result.timeline.some((t) => t.source === 'Route 53 Domains')).toBe(true);

    // Route 53 Domains asked in us-east-1; ACM in both Regions; read-only.
    expect(aws.calls.filter((c) => c.operation === 'GetDomainDetail').map((c) => c.region)).toEqual(['us-east-1']);
    expect(new Set(aws.calls.filter((c) => c.operation === 'ListCertificates').map((c) => c.region))).toEqual(new Set(['ap-northeast-1', 'us-east-1']));
    expect(aws.calls.some((c) => c.operation === 'ChangeResourceRecordSets')).toBe(false);
  });

  it('validation-record-missing when no zone has the CNAME', async () => {
    const { result } = await investigate('incident-001-dns', {
      tweak: (s) => {
        const orphan = s.route53.zones.find((z) => z.id === ORPHAN)!;
        orphan.records = orphan.records?.filter((r) => !r.name.includes('.cdn.'));
      },
    });
    expect(ids(result)).toEqual(['validation-record-in-orphan-zone', 'validation-record-missing', 'duplicate-hosted-zones', 'ns-mismatch']);
    const missing = result.findings[1]!;
    expect(missing.title).toBe(`No hosted zone (the delegated one is ${REAL}) publishes ACM’s validation CNAME for cdn.example-shop.com`);
    expect(missing.remediations[0]).toMatchObject({ id: 'route53-validation-record', params: { zoneId: REAL, certificateArn: CDN_CERT } });
  });

  it('ns-mismatch is critical when the registrar points at neither zone', async () => {
    const { result } = await investigate('incident-001-dns', {
      tweak: (s) => {
        s.route53.domains[0]!.nameServers = ['ns1.other-dns.example', 'ns2.other-dns.example'];
      },
    });
    const mismatches = result.findings.filter((f) => f.id === 'ns-mismatch');
    expect(mismatches.map((f) => f.severity)).toEqual(['critical', 'critical']);
    expect(mismatches.map((f) => f.title).join('\n')).toContain(REAL);
    // No delegated zone known: no button writes anywhere.
    expect(result.findings.flatMap((f) => f.remediations).filter((r) => r.id === 'route53-validation-record')).toEqual([]);
    expect(result.verdict.severity).toBe('critical');
  });

  it('still answers when Route 53 Domains is denied: the check says which IAM action, the rest stands', async () => {
    const { result } = await investigate('incident-001-dns', {
      faults: [{ service: 'route53domains', operation: 'GetDomainDetail', kind: 'AccessDenied' }],
    });
    expect(check(result, 'registrar')).toMatchObject({ status: 'failed', iamAction: 'route53domains:GetDomainDetail' });
    expect(check(result, 'public-ns')).toMatchObject({ status: 'skipped' });
    expect(check(result, 'public-ns')!.reason).toMatch(/off by default/);
    // Without the registrar the two zones cannot be told apart: say so, offer no write.
    expect(ids(result)).toContain('duplicate-hosted-zones');
    expect(result.findings.find((f) => f.id === 'duplicate-hosted-zones')!.detail).toMatch(/cannot tell which one is real/);
    expect(ids(result)).not.toContain('ns-mismatch');
    expect(result.findings.flatMap((f) => f.remediations).some((r) => r.id === 'route53-validation-record')).toBe(false);
    expect(result.verdict.summary).toMatch(/1 check could not run: registrar\./);
  });

  it('still answers when ACM is denied in us-east-1 and ListResourceRecordSets is denied', async () => {
    const { result } = await investigate('incident-001-dns', {
      faults: [
        { service: 'acm', operation: 'ListCertificates', kind: 'AccessDenied', times: 1 },
        { service: 'route53', operation: 'ListResourceRecordSets', kind: 'AccessDenied' },
      ],
    });
    // The first ListCertificates (either Region) is denied; the other still answers.
    const acmFailed = result.checks.filter((c) => c.id.startsWith('certificates') && c.status === 'failed');
    expect(acmFailed).toHaveLength(1);
    expect(acmFailed[0]!.iamAction).toBe('acm:ListCertificates');
    expect(check(result, 'validation-records')).toMatchObject({ status: 'failed', iamAction: 'route53:ListResourceRecordSets' });
    expect(ids(result)).toEqual(['duplicate-hosted-zones', 'ns-mismatch']);
    expect(result.verdict.severity).toBe('warning');
    expect(result.verdict.summary).toMatch(/2 checks could not run/);
  });

  it('with the public NS lookup enabled (a stub here, never the network) it falls back to DNS', async () => {
    const asked: string[] = [];
    const playbook = createCertPending({
      resolveNs: async (d) => {
        asked.push(d);
        return ['NS-235.awsdns-29.com', 'ns-740.awsdns-28.net', 'ns-1097.awsdns-09.org', 'ns-1801.awsdns-33.co.uk'];
      },
    });
    const { result } = await investigate('incident-001-dns', { playbook, tweak: (s) => void (s.route53.domains = []) });
    expect(asked).toEqual([DOMAIN]);
    expect(check(result, 'public-ns')!.status).toBe('ok');
    expect(ids(result).slice(0, 2)).toEqual(['validation-record-in-orphan-zone', 'validation-record-in-orphan-zone']);
    expect(result.findings.find((f) => f.id === 'ns-mismatch')!.evidence.some((e) => e.source === 'public DNS')).toBe(true);
  });

  it('is off by default: the registered playbook makes no DNS query and says why', async () => {
    const { result } = await investigate('incident-001-dns', { tweak: (s) => void (s.route53.domains = []) });
    expect(check(result, 'public-ns')).toMatchObject({ status: 'skipped' });
    expect(check(result, 'public-ns')!.reason).toMatch(/^public DNS lookup is off by default .*not registered with Route 53 Domains/);
    expect(ids(result)).toContain('registrar-unknown');
  });
});

describe('cert-pending on a healthy domain', () => {
  it('one public zone, delegated, certificate issued; the private split-horizon zone is not a duplicate', async () => {
    const { result } = await investigate('dns-healthy');
    expect(ids(result)).toEqual(['no-pending-certificate', 'cert-dns-healthy']);
    expect(result.checks.every((c) => c.status !== 'failed')).toBe(true);
    expect(result.verdict.severity).toBe('ok');
    expect(result.verdict.summary).toMatch(new RegExp(`^${DOMAIN} has one public hosted zone, ${REAL}, and it is the one the registrar points at\\.`));
    expect(check(result, 'validation-records')).toMatchObject({ status: 'skipped' });
  });

  it('an unknown domain: no hosted zone, said plainly', async () => {
    const { result } = await investigate('dns-healthy', { target: 'nothing-here.example.org' });
    expect(ids(result)).toContain('no-hosted-zone');
    expect(result.verdict.severity).toBe('warning');
  });
});

describe('route53-validation-record remediation', () => {
  it('writes exactly one UPSERT into the delegated zone, never the orphan, and verifies INSYNC', async () => {
    const { result, aws, clients } = await investigate('incident-001-dns');
    const ref = result.findings[0]!.remediations[0]!;
    const meta = actionMetas[ref.id]!;
    const params = meta.params.parse(ref.params);
    const plan = meta.plan(params);
    expect(plan.apiCall).toBe(
      `route53:ChangeResourceRecordSets {"HostedZoneId":"${REAL}","ChangeBatch":{"Comment":"whybot: ACM DNS validation record","Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"${ALB_RECORD}","Type":"CNAME","TTL":300,"ResourceRecords":[{"Value":"${ALB_VALUE}"}]}}]}}`,
    );
    const action = remediations[ref.id]!;
    aws.reset();
    try {
      const done = await action.execute(clients, params);
      expect(done.facts?.changeId).toMatch(/^C[A-Z0-9]+$/);
      const verified = await action.verify(clients, params, done.facts ?? {}, { timeoutMs: 5_000, intervalMs: 25 });
      expect(verified.ok).toBe(true);
      expect(verified.detail).toMatch(new RegExp(`is in ${REAL}, change C[A-Z0-9]+ INSYNC; the certificate is ISSUED`));
    } finally {
      clients.destroy();
    }
    const writes = aws.calls.filter((c) => c.operation === 'ChangeResourceRecordSets');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.params.HostedZoneId).toBe(REAL);
    expect(writes[0]!.params.ChangeBatch).toMatchObject({
      Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: ALB_RECORD, Type: 'CNAME', TTL: '300', ResourceRecords: [{ Value: ALB_VALUE }] } }],
    });
    expect(aws.calls.some((c) => c.params.HostedZoneId === ORPHAN && c.operation === 'ChangeResourceRecordSets')).toBe(false);
    expect(aws.calls.filter((c) => c.operation === 'GetChange').length).toBeGreaterThanOrEqual(1);
    // The orphan zone is untouched; the delegated one gained exactly the CNAME.
    const real = aws.world.route53.zones.find((z) => z.id === REAL)!;
    expect(real.records.filter((r) => r.type === 'CNAME').map((r) => `${r.name} ${r.values.join(',')}`)).toEqual([`${ALB_RECORD} ${ALB_VALUE}`]);
    expect(aws.world.route53.zones.find((z) => z.id === ORPHAN)!.records).toHaveLength(4);
  });

  it('a second run after the fix: the ALB certificate validated, only the CDN record is left', async () => {
    const { result, aws, clients } = await investigate('incident-001-dns');
    const ref = result.findings[0]!.remediations[0]!;
    const action = remediations[ref.id]!;
    const params = action.params.parse(ref.params);
    const done = await action.execute(clients, params);
    await action.verify(clients, params, done.facts ?? {}, { timeoutMs: 5_000, intervalMs: 25 });
    clients.destroy();
    const again = PlaybookResultSchema.parse(
      await certPending.run(clientsFor('ap-northeast-1'), { target: DOMAIN, region: 'ap-northeast-1', hours: 24 }, { timeoutMs: 5_000 }),
    );
    expect(ids(again)).toEqual(['validation-record-in-orphan-zone', 'duplicate-hosted-zones', 'ns-mismatch']);
    expect(again.findings[0]!.title).toMatch(/cdn\.example-shop\.com/);
    expect(aws.world.acm.certificates.find((c) => c.arn === ALB_CERT)!.status).toBe('ISSUED');
  });

  it('refuses a record outside the zone, and a zone id that now names another zone', async () => {
    const { aws, clients } = await investigate('incident-001-dns');
    const action = remediations['route53-validation-record']!;
    const base = { zoneId: REAL, zoneName: `${DOMAIN}.`, recordName: '_x.other.org.', recordValue: 'y.acm-validations.aws.', region: 'ap-northeast-1' };
    await expect(action.execute(clients, action.params.parse(base))).rejects.toThrow(/not inside zone/);
    await expect(action.execute(clients, action.params.parse({ ...base, zoneName: 'other.org.', recordName: '_x.other.org.' }))).rejects.toThrow(/is now example-shop\.com\./);
    clients.destroy();
    expect(aws.calls.some((c) => c.operation === 'ChangeResourceRecordSets')).toBe(false);
  });

  it('CLI commands show the same change batch', () => {
    const cmds = cliCommands({
      id: 'route53-validation-record',
      params: { zoneId: REAL, zoneName: `${DOMAIN}.`, recordName: ALB_RECORD, recordValue: ALB_VALUE, ttl: 300, certificateArn: ALB_CERT, region: 'ap-northeast-1' },
    });
    expect(cmds[0]).toBe(
      `aws route53 change-resource-record-sets --hosted-zone-id ${REAL} --change-batch '{"Comment":"whybot: ACM DNS validation record","Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"${ALB_RECORD}","Type":"CNAME","TTL":300,"ResourceRecords":[{"Value":"${ALB_VALUE}"}]}}]}'`,
    );
    expect(cmds[1]).toContain(`list-resource-record-sets --hosted-zone-id ${REAL}`);
    expect(cmds[2]).toBe(`aws acm describe-certificate --region ap-northeast-1 --certificate-arn ${ALB_CERT} --query Certificate.Status`);
  });
});

describe('cert-pending registration', () => {
  it('is in the catalog with a required domain target, and in the playbooks', async () => {
    const entry = PLAYBOOK_CATALOG['cert-pending']!;
    expect(entry.target.required).toBe(true);
    expect(entry.target.pattern.test('example-shop.com')).toBe(true);
    expect(entry.target.pattern.test('example-shop.com.')).toBe(true);
    expect(entry.target.pattern.test('bad domain')).toBe(false);
    expect(entry.target.pattern.test('-x.com')).toBe(false);
    expect(await loadPlaybook('cert-pending')).toBe(certPending);
  });
});
