import { afterEach, describe, expect, it, vi } from 'vitest';
import { classifyAwsError } from '../src/aws/errors.js';
import { closeMatches } from '../src/playbooks/close-matches.js';
import { parseInvocation, tokenize } from '../src/playbooks/invocation.js';
import { identityOf, referencesSecret, sameSecret, secretNameFromArn } from '../src/playbooks/secret-refs.js';
import { cliCommands, shellQuote } from '../src/remediations/cli-commands.js';
import { code, esc } from '../src/render/mrkdwn.js';
import { CoalescingUpdater } from '../src/slack/progress.js';
import { decodeShowCli, encodeShowCli } from '../src/slack/values.js';
import { loadConfig, slackMode } from '../src/config.js';
import { resolveTime } from '../src/sandbox/scenario.js';

const ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-6f1c2d3e-Ab12Cd';

describe('secret references in ECS task definitions', () => {
  const secret = identityOf(ARN);
  it('knows the name behind an ARN', () => {
    expect(secretNameFromArn(ARN)).toBe('rds!cluster-6f1c2d3e');
  });
  it.each([
    [ARN, true],
    [`${ARN}:password::`, true],
    [`${ARN}:password:AWSCURRENT:`, true],
    ['arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-6f1c2d3e', true],
    ['arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-6f1c2d3e:username::', true],
    ['arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-6f1c2d3e-Ab12Cd', false],
    ['arn:aws:secretsmanager:ap-northeast-1:999999999999:secret:rds!cluster-6f1c2d3e-Ab12Cd', false],
    ['arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-6f1c2d3e-other-Zz99Yy', false],
    ['arn:aws:ssm:ap-northeast-1:123456789012:parameter/prod/db-password', false],
  ])('%s → %s', (valueFrom, expected) => {
    expect(referencesSecret(valueFrom, secret)).toBe(expected);
  });
  it('matches by name when only the name is known', () => {
    expect(referencesSecret(ARN, identityOf('rds!cluster-6f1c2d3e'))).toBe(true);
    expect(sameSecret('rds!cluster-6f1c2d3e', secret)).toBe(true);
  });
});

describe('invocation parsing (CLI argv and slash-command text)', () => {
  it('takes a target and flags', () => {
    const r = parseInvocation(['prod-db', '--hours', '48', '--region', 'us-east-1', '--json'], { hours: 24 });
    expect(r).toEqual({ ok: true, value: { target: 'prod-db', hours: 48, region: 'us-east-1', json: true } });
  });
  it('defaults the window', () => {
    const r = parseInvocation([], { hours: 24 });
    expect(r.ok && r.value.hours).toBe(24);
  });
  it.each([
    [['prod-db', '--bogus'], /Unknown option --bogus/],
    [['prod-db', '--hours', '9999'], /at most 336/],
    [['prod-db', '--hours', 'abc'], /hours/],
    [['<!channel>'], /DB identifier/],
    [['a', 'b'], /one DB, not 2/],
    [['prod-db', '--region', 'mars'], /Region/],
    [[`x${'y'.repeat(2000)}`], /too long/],
  ])('rejects %j', (args, message) => {
    const r = parseInvocation(args, { hours: 24 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
  it('does not accept --json from Slack', () => {
    expect(parseInvocation(tokenize('prod-db --json'), { hours: 24 }, false).ok).toBe(false);
  });
});

describe('mrkdwn escaping', () => {
  it('neutralises mentions and links', () => {
    expect(esc('<!channel> & <https://evil|click>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    expect(code('a`b<c>')).toBe('`aˋb&lt;c&gt;`');
  });
});

describe('close matches', () => {
  it('suggests near names, nearest first', () => {
    expect(closeMatches('prod-bd', ['prod-db', 'staging-db', 'legacy-mysql'])).toEqual(['prod-db']);
    expect(closeMatches('prod', ['prod-db', 'prod-db-2', 'staging-db'])).toEqual(['prod-db', 'prod-db-2']);
    expect(closeMatches('zzzzzz', ['prod-db'])).toEqual([]);
  });
});

describe('CLI commands for remediations', () => {
  it('quotes what a shell would misread', () => {
    expect(shellQuote('rds!cluster-x')).toBe(`'rds!cluster-x'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('api')).toBe('api');
  });
  it('renders a redeploy and a schedule change', () => {
    expect(cliCommands({ id: 'ecs-redeploy', params: { cluster: 'prod', service: 'api', region: 'ap-northeast-1' } })[0]).toBe(
      'aws ecs update-service --region ap-northeast-1 --cluster prod --service api --force-new-deployment',
    );
    expect(cliCommands({ id: 'rotation-schedule', params: { secretId: ARN, days: 30, region: 'ap-northeast-1' } })[0]).toContain(
      `--secret-id '${ARN}' --rotation-rules '{"AutomaticallyAfterDays":30}' --no-rotate-immediately`,
    );
  });
  it('refuses parameters that are not names', () => {
    expect(() => cliCommands({ id: 'ecs-redeploy', params: { cluster: 'prod; rm -rf /', service: 'api', region: 'us-east-1' } })).toThrow();
  });
});

describe('button values', () => {
  it('round-trips and rejects tampering', () => {
    const v = encodeShowCli([{ id: 'ecs-redeploy', label: 'Redeploy api', params: { cluster: 'prod', service: 'api' } }], 'us-east-1')!;
    expect(decodeShowCli(v)?.r[0]?.params).toEqual({ region: 'us-east-1', cluster: 'prod', service: 'api' });
    expect(decodeShowCli(v.replace('"v":1', '"v":2'))).toBeUndefined();
    expect(decodeShowCli('not json')).toBeUndefined();
    expect(decodeShowCli('x'.repeat(2001))).toBeUndefined();
  });
});

describe('AWS error classification', () => {
  it('maps SDK errors to reasons with the IAM action', () => {
    const denied = classifyAwsError({ name: 'AccessDeniedException', message: 'no', $metadata: { httpStatusCode: 400 } }, 'cloudtrail:LookupEvents');
    expect(denied.kind).toBe('access-denied');
    expect(denied.message).toContain('cloudtrail:LookupEvents');
    expect(classifyAwsError({ name: 'ThrottlingException' }, 'x:Y').kind).toBe('throttled');
    expect(classifyAwsError({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }, 'x:Y').kind).toBe('server');
    expect(classifyAwsError({ name: 'DBClusterNotFoundFault', $metadata: { httpStatusCode: 404 } }, 'x:Y').kind).toBe('not-found');
  });
});

describe('config', () => {
  it('picks the Slack mode from the variables present', () => {
    const base = { WHYBOT_LOG_LEVEL: 'silent' };
    const cfg = (env: Record<string, string>) => {
      const r = loadConfig({ ...base, ...env });
      if (!r.ok) throw new Error(r.problems.join());
      return slackMode(r.config);
    };
    expect(cfg({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).kind).toBe('socket');
    expect(cfg({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', PORT: '3000' }).kind).toBe('http');
    const none = cfg({});
    expect(none.kind === 'none' && none.missing.join()).toMatch(/SLACK_BOT_TOKEN.*SLACK_APP_TOKEN/);
  });
  it('names the bad variable', () => {
    const r = loadConfig({ SLACK_BOT_TOKEN: 'xoxp-user', WHYBOT_CHECK_TIMEOUT_MS: 'soon' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toMatch(/SLACK_BOT_TOKEN[\s\S]*WHYBOT_CHECK_TIMEOUT_MS/);
  });
});

describe('scenario times', () => {
  it('resolves relative times', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    expect(resolveTime('now-3h1m16s', now).toISOString()).toBe('2026-11-23T08:58:44.000Z');
    expect(resolveTime('now+6d', now).toISOString()).toBe('2026-11-29T12:00:00.000Z');
    expect(resolveTime('2025-12-09T02:09:01Z', now).toISOString()).toBe('2025-12-09T02:09:01.000Z');
  });
});

describe('coalescing progress updates', () => {
  afterEach(() => vi.useRealTimers());
  it('sends at most one update per interval, the latest state, and never after the final one', async () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const u = new CoalescingUpdater<string>(async (s) => void sent.push(s), 1000, () => Date.now());
    u.push('a');
    await vi.advanceTimersByTimeAsync(0);
    u.push('b');
    u.push('c');
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(600);
    expect(sent).toEqual(['a', 'c']);
    u.push('d');
    await u.finish(async () => void sent.push('final'));
    u.push('e');
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toEqual(['a', 'c', 'final']);
  });

  it('keeps at most one update in flight: a slow channel gets the latest state, not a backlog', async () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const release: (() => void)[] = [];
    const u = new CoalescingUpdater<string>(
      (s) => new Promise<void>((resolve) => release.push(() => resolve(void sent.push(s)))),
      100,
      () => Date.now(),
    );
    u.push('s1');
    await vi.advanceTimersByTimeAsync(0);
    expect(release).toHaveLength(1); // s1 in flight, held by the channel's pacing
    for (let i = 2; i <= 9; i++) {
      u.push(`s${i}`);
      await vi.advanceTimersByTimeAsync(150);
    }
    expect(release).toHaveLength(1); // nothing else left while s1 waits
    release[0]!();
    await vi.advanceTimersByTimeAsync(150);
    expect(release).toHaveLength(2);
    release[1]!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual(['s1', 's9']);
  });
});

describe('alert pacing and policy', () => {
  it('every message to a channel waits for the channel\'s slot; other methods and channels do not', async () => {
    const { pacedFetch } = await import('../src/slack/client-options.js');
    const { MemoryRateGate, useRateGate } = await import('../src/platform/rate-gate.js');
    vi.useFakeTimers({ now: 0 });
    useRateGate(new MemoryRateGate(() => Date.now()));
    try {
      const sent: { method: string; channel: string | null; at: number }[] = [];
      const fetch = pacedFetch(1, async (url, init) => {
        sent.push({ method: String(url).split('/').pop()!, channel: new URLSearchParams(String(init?.body)).get('channel'), at: Date.now() });
        return new Response('{"ok":true}') as never;
      });
      const form = (channel: string) => ({ method: 'POST', body: new URLSearchParams({ channel, text: 'x' }).toString() });
      const calls = [
        ...Array.from({ length: 6 }, (_, i) => fetch(`http://slack.test/api/${i % 2 ? 'chat.update' : 'chat.postMessage'}`, form('C1'))),
        fetch('http://slack.test/api/chat.postMessage', form('C2')),
        fetch('http://slack.test/api/views.open', form('C1')),
      ];
      await vi.advanceTimersByTimeAsync(10_000);
      await Promise.all(calls);
      const c1 = sent.filter((s) => s.channel === 'C1' && s.method !== 'views.open').map((s) => s.at);
      expect(c1).toEqual([0, 0, 0, 1000, 2000, 3000]); // a burst of 3, then 1 per second
      expect(sent.find((s) => s.channel === 'C2')!.at).toBe(0);
      expect(sent.find((s) => s.method === 'views.open')!.at).toBe(0);
    } finally {
      useRateGate(new MemoryRateGate());
      vi.useRealTimers();
    }
  });

  it('matches cluster/service patterns', async () => {
    const { matchesPolicy } = await import('../src/alerts/policy.js');
    expect(matchesPolicy(['prod/*'], 'prod', 'api')).toBe(true);
    expect(matchesPolicy(['prod/*'], 'staging', 'api')).toBe(false);
    expect(matchesPolicy(['api'], 'any', 'api')).toBe(true);
    expect(matchesPolicy(['*/api-*'], 'prod', 'api-v2')).toBe(true);
    expect(matchesPolicy(['prod/a.c'], 'prod', 'abc')).toBe(false);
    expect(matchesPolicy([], 'prod', 'api')).toBe(false);
  });
});
