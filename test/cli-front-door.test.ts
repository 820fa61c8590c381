// Issue 15's front door and terminal, without a process: help texts from the catalog, the
// /why answers, colours and the progress line, and a failed check's IAM action named once in
// both renderers.
import { describe, expect, it } from 'vitest';
import type { CheckProgress } from '../src/engine/investigation.js';
import { playbookUsage, usage } from '../src/entry/cli-usage.js';
import type { PlaybookResult } from '../src/findings.js';
import { PLAYBOOK_CATALOG } from '../src/playbooks/catalog.js';
import { didYouMean, suggestPlaybooks } from '../src/playbooks/help.js';
import { renderText } from '../src/render/text.js';
import { colorEnabled, progressLine, TerminalProgress } from '../src/render/terminal.js';
import { findUnescapedSpecials } from '../src/sandbox/slack/block-kit.js';
import { unknownPlaybookText, WHY_HELP } from '../src/slack/app.js';
import { progressMessage, threadMessages } from '../src/slack/render.js';

const DENIED = { id: 'rotation-history', title: 'CloudTrail rotation history', status: 'failed' as const, reason: 'access denied: needs cloudtrail:LookupEvents', iamAction: 'cloudtrail:LookupEvents' };
const TIMED_OUT = { id: 'secret', title: 'Secrets Manager', status: 'failed' as const, reason: 'throttled by AWS (ThrottlingException) after the SDK\'s retries', iamAction: 'secretsmanager:DescribeSecret' };

const result = (over: Partial<PlaybookResult> = {}): PlaybookResult => ({
  schemaVersion: 1,
  playbook: 'db-down',
  target: 'prod-db',
  region: 'ap-northeast-1',
  startedAt: '2026-12-01T15:00:00.000Z',
  finishedAt: '2026-12-01T15:00:02.000Z',
  verdict: { severity: 'critical', summary: 'Likely cause: something.' },
  findings: [],
  checks: [DENIED, TIMED_OUT],
  timeline: [],
  ...over,
});

const count = (text: string, s: string) => text.split(s).length - 1;

describe('a failed check names its IAM action once', () => {
  it('terminal text: the reason that already says "needs X" gets no "(needs X)"; another reason gets it once', () => {
    const text = renderText(result());
    expect(count(text, 'cloudtrail:LookupEvents')).toBe(1);
    expect(text).toContain('FAILED  rotation-history — access denied: needs cloudtrail:LookupEvents\n');
    expect(count(text, 'secretsmanager:DescribeSecret')).toBe(1);
    expect(text).toContain('(needs secretsmanager:DescribeSecret)');
  });

  it('Slack: the live checklist and the "Could not check" list', () => {
    const checks: CheckProgress[] = [
      { id: DENIED.id, title: DENIED.title, state: 'failed', reason: DENIED.reason, iamAction: DENIED.iamAction },
      { id: TIMED_OUT.id, title: TIMED_OUT.title, state: 'failed', reason: TIMED_OUT.reason, iamAction: TIMED_OUT.iamAction },
    ];
    const live = JSON.stringify(progressMessage('db-down', 'prod-db', 'ap-northeast-1', checks));
    expect(count(live, 'cloudtrail:LookupEvents')).toBe(1);
    expect(count(live, 'secretsmanager:DescribeSecret')).toBe(1);
    const thread = JSON.stringify(threadMessages(result(), undefined));
    expect(count(thread, 'cloudtrail:LookupEvents')).toBe(1);
    expect(count(thread, 'secretsmanager:DescribeSecret')).toBe(1);
  });
});

describe('colours and progress: only on a terminal, never with NO_COLOR', () => {
  it('colorEnabled', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    // no-color.org: set and non-empty
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('renderText paints badges and failed checks only when asked, and AWS text never carries escape codes', () => {
    const hostile = result({ verdict: { severity: 'warning', summary: 'evil \x1b]0;pwned\x07 \x1b[2J text' } });
    const plain = renderText(hostile);
    expect(plain).not.toMatch(/\x1b/);
    expect(plain).toContain('evil \uFFFD]0;pwned\uFFFD \uFFFD[2J text');
    const coloured = renderText(hostile, { color: true });
    expect(coloured).toMatch(/^\x1b\[33m\[WARNING\]\x1b\[39m db-down/);
    expect(coloured).toContain('\x1b[31mFAILED \x1b[39m');
    // the only escapes are whybot's own colours
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(plain);
  });

  it('the progress line: rewritten in place on a TTY and erased before the answer; nothing elsewhere', () => {
    const checks: CheckProgress[] = [
      { id: 'db', title: 'RDS status', state: 'ok' },
      { id: 'secret', title: 'Secrets Manager', state: 'running' },
      { id: 'ecs', title: 'ECS', state: 'failed' },
      { id: 'tasks', title: 'Tasks', state: 'pending' },
    ];
    expect(progressLine('db-down prod-db', checks)).toBe('db-down prod-db: 2/4 checks done, 1 could not run · Secrets Manager…');
    const written: string[] = [];
    const tty = new TerminalProgress({ isTTY: true, columns: 30, write: (t) => written.push(t) }, 'db-down prod-db', (_c, t) => t);
    tty.update(checks);
    tty.clear();
    tty.clear();
    expect(written).toEqual(['\r\x1b[2Kdb-down prod-db: 2/4 checks …', '\r\x1b[2K']);
    const pipe: string[] = [];
    const off = new TerminalProgress({ isTTY: false, write: (t) => pipe.push(t) }, 'x', (_c, t) => t);
    off.note('looking…');
    off.update(checks);
    off.clear();
    expect(pipe).toEqual([]);
  });
});

describe('help and suggestions from the catalog', () => {
  it('usage lists every playbook with its target and summary; each playbook has its own', () => {
    for (const m of Object.values(PLAYBOOK_CATALOG)) {
      expect(usage()).toContain(`${m.name} ${m.target.required ? '<' : '['}${m.target.label}`);
      expect(playbookUsage(m.name)).toContain(m.target.hint);
    }
    expect(playbookUsage('db-down')).toContain('--secret');
    expect(playbookUsage('cert-pending')).not.toContain('--secret');
  });

  it('suggests close names, nothing for noise', () => {
    expect(suggestPlaybooks('db-dwon')).toEqual(['db-down']);
    expect(suggestPlaybooks('decrypt')).toEqual(['decrypt-denied']);
    expect(didYouMean('zzzzzzzzzz')).toBe('');
    expect(didYouMean('deploy')).toBe(' Did you mean deploy-failed?');
  });

  it('/why: every playbook with target and summary; a typo gets the closest name; all escaped', () => {
    for (const m of Object.values(PLAYBOOK_CATALOG)) expect(WHY_HELP).toContain(`/why-${m.name}`);
    expect(findUnescapedSpecials(WHY_HELP)).toEqual([]);
    const typo = unknownPlaybookText('db-dwon');
    expect(typo).toMatch(/There is no playbook `db-dwon`\. Did you mean `\/why db-down`\?/);
    const hostile = unknownPlaybookText('<!channel>');
    expect(findUnescapedSpecials(hostile)).toEqual([]);
    expect(hostile).toContain('&lt;!channel&gt;');
  });
});
