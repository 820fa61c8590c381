// PlaybookResult and progress → Block Kit. No logic about AWS here: only presentation,
// within Slack's limits (50 blocks, 3000-char sections, 2000-char values), never truncating
// silently.
import { unreachableText } from '../playbooks/places.js';
import type { types } from '@slack/bolt';
import type { CheckProgress } from '../engine/investigation.js';
import type { Admission } from '../engine/job-pool.js';
import type { Finding, PlaybookResult, Severity } from '../findings.js';
import { actionToName } from '../engine/check-reason.js';
import { clip, code, esc, mrkdwn, slackDate } from '../render/mrkdwn.js';
import type { RemediationRef } from '../findings.js';
import { encodePickValue, encodeShowCli, pickLabel } from './values.js';
import { PLAYBOOK_CATALOG } from '../playbooks/catalog.js';
import { redactText } from '../redact/index.js';

/** Signs a button value for a remediation, or undefined when this deployment cannot run it. */
export type ButtonFactory = (ref: RemediationRef) => string | undefined;

export type Block = types.KnownBlock;
export interface SlackMessageBody {
  text: string;
  blocks: Block[];
}

const SECTION_MAX = 3000;
const BLOCKS_MAX = 50;

const icon: Record<Severity, string> = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:', ok: ':white_check_mark:' };
const stateIcon: Record<CheckProgress['state'], string> = {
  pending: ':white_circle:',
  running: ':hourglass_flowing_sand:',
  ok: ':white_check_mark:',
  failed: ':x:',
  skipped: ':fast_forward:',
};

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_MAX) } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, SECTION_MAX) }] });

/** A check's reason, escaped, with the IAM action it names (if it does) set as code. */
function reasonText(reason: string, iamAction: string | undefined): string {
  const text = esc(reason);
  return iamAction && reason.includes(iamAction) ? text.split(esc(iamAction)).join(code(iamAction)) : text;
}

function checkLine(c: CheckProgress): string {
  const why = c.reason ? ` — ${reasonText(c.reason, c.iamAction)}` : '';
  const action = c.state === 'failed' ? actionToName(c.reason, c.iamAction) : undefined;
  const needs = action ? ` (needs ${code(action)})` : '';
  return `${stateIcon[c.state]} ${esc(c.title)}${c.state === 'running' ? '…' : ''}${why}${needs}`;
}

export function progressMessage(playbook: string, target: string, region: string, checks: readonly CheckProgress[]): SlackMessageBody {
  const done = checks.filter((c) => c.state !== 'pending' && c.state !== 'running').length;
  return {
    text: `Investigating ${esc(target)}… (${done}/${checks.length} checks)`,
    blocks: [
      section(`:mag: Investigating ${code(target)}… _${esc(playbook)} in ${esc(region)}_`),
      section(checks.map(checkLine).join('\n') || '_starting_'),
    ],
  };
}

export function verdictMessage(r: PlaybookResult): SlackMessageBody {
  const ok = r.checks.filter((c) => c.status === 'ok').length;
  const failed = r.checks.filter((c) => c.status === 'failed').length;
  const counts = `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'} · ${ok} check${ok === 1 ? '' : 's'} ok${failed ? ` · ${failed} could not run` : ''} · details in the thread`;
  return {
    text: `${r.verdict.severity.toUpperCase()}: ${esc(r.verdict.summary)}`,
    blocks: [
      section(`${icon[r.verdict.severity]} *${esc(r.playbook)} ${code(r.target)}* _(${esc([r.account, r.region].filter(Boolean).join(' '))})_\n${esc(r.verdict.summary)}`),
      ...(r.unreachable?.length ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: esc(`Could not look in: ${unreachableText(r.unreachable)}`) }] } as Block] : []),
      context(counts),
    ],
  };
}

/** The answer when there was nothing to investigate (no KMS denials, no failed stack): a verdict, not an error. */
export function nothingFoundMessage(r: PlaybookResult): SlackMessageBody {
  return {
    text: `${r.verdict.severity.toUpperCase()}: ${esc(r.verdict.summary)}`,
    blocks: [
      section(`${icon[r.verdict.severity]} *${esc(r.playbook)}* _(${esc(r.region ?? '')})_\n${esc(r.verdict.summary)}`),
      context(`To investigate one anyway, name it: ${code(`/why-${r.playbook} <${PLAYBOOK_CATALOG[r.playbook]?.target.label ?? 'target'}>`)}`),
    ],
  };
}

function evidenceLines(f: Finding, max = 12): string {
  const lines = f.evidence.map((ev) => `• ${ev.time ? `${slackDate(ev.time)} ` : ''}_${esc(ev.source)}_ ${esc(ev.text)}`);
  const shown = lines.slice(0, max);
  if (lines.length > max) shown.push(`…and ${lines.length - max} more (full list: \`whybot ${'<playbook>'} --json\`)`);
  return shown.join('\n');
}

function findingBlocks(f: Finding, region: string | undefined, account: string | undefined, buttonFor: ButtonFactory | undefined): Block[] {
  const blocks: Block[] = [section(`${icon[f.severity]} *${esc(f.title)}*  ${code(f.id)}\n${mrkdwn(f.markup)}`)];
  if (f.evidence.length > 0) blocks.push(section(`*Evidence*\n${evidenceLines(f)}`));
  const elements: types.Button[] = [];
  for (const r of f.remediations) {
    const text = { type: 'plain_text' as const, text: r.label.slice(0, 75) };
    if (r.id === 'show-cli') {
      const value = encodeShowCli(f.remediations.filter((x) => x.id !== 'show-cli'), region, account);
      if (value) elements.push({ type: 'button', action_id: 'show-cli', text, value });
    } else {
      const value = buttonFor?.(r);
      if (value) elements.push({ type: 'button', action_id: `remediate:${r.id}:${elements.length}`, text, value, ...(elements.length === 0 ? { style: 'primary' as const } : {}) });
    }
  }
  if (elements.length > 0) blocks.push({ type: 'actions', elements });
  return blocks;
}

/** Splits blocks into messages of at most 50 blocks each. */
function paginate(blocks: Block[], text: string): SlackMessageBody[] {
  const out: SlackMessageBody[] = [];
  for (let i = 0; i < blocks.length; i += BLOCKS_MAX) out.push({ text, blocks: blocks.slice(i, i + BLOCKS_MAX) });
  return out;
}

/** Sections of lines, each under the section limit. */
function lineSections(header: string, lines: string[]): Block[] {
  const blocks: Block[] = [];
  let current = header;
  for (const line of lines) {
    if (current.length + line.length + 1 > SECTION_MAX - 10) {
      blocks.push(section(current));
      current = '';
    }
    current += (current ? '\n' : '') + line;
  }
  if (current) blocks.push(section(current));
  return blocks;
}

export function threadMessages(r: PlaybookResult, buttonFor?: ButtonFactory): SlackMessageBody[] {
  const messages: SlackMessageBody[] = [];
  const findingBlocksAll = r.findings.flatMap((f, i) => [...(i > 0 ? [{ type: 'divider' } as Block] : []), ...findingBlocks(f, r.region, r.account, buttonFor)]);
  if (findingBlocksAll.length > 0) messages.push(...paginate(findingBlocksAll, `Findings for ${esc(r.target)}`));

  if (r.timeline.length > 0) {
    const lines = r.timeline.map((t) => `${slackDate(t.time)}  *${esc(t.source)}*  ${esc(t.text)}`);
    messages.push(...paginate(lineSections('*Timeline*', lines), `Timeline for ${esc(r.target)}`));
  }

  const ok = r.checks.filter((c) => c.status === 'ok');
  const failed = r.checks.filter((c) => c.status === 'failed');
  const skipped = r.checks.filter((c) => c.status === 'skipped');
  const checkBlocks: Block[] = [];
  if (ok.length) checkBlocks.push(section(`*Checked and answered* :white_check_mark:\n${ok.map((c) => `• ${esc(c.title ?? c.id)}`).join('\n')}`));
  if (failed.length)
    checkBlocks.push(
      section(
        `*Could not check* :x:\n${failed
          .map((c) => {
            const action = actionToName(c.reason, c.iamAction);
            return `• ${esc(c.title ?? c.id)}: ${reasonText(c.reason ?? 'failed', c.iamAction)}${action ? ` — needs ${code(action)}` : ''}`;
          })
          .join('\n')}`,
      ),
    );
  if (skipped.length) checkBlocks.push(context(`Skipped: ${skipped.map((c) => `${esc(c.title ?? c.id)} (${esc(c.reason ?? 'not needed')})`).join('; ')}`));
  if (checkBlocks.length) messages.push({ text: `Checks for ${esc(r.target)}`, blocks: checkBlocks });
  return messages;
}

/** Also answered through Bolt's respond(), which does not pass the Web API's fetch: redacted here. */
export function showCliMessage(script: string): SlackMessageBody {
  const body = esc(redactText(script));
  return {
    text: 'CLI commands',
    blocks: lineSections('*Run these yourself* (review first):', ['```', ...body.split('\n'), '```']),
  };
}

/**
 * An ephemeral error text. These go out in acks, respond() and response_url posts, none of
 * which pass the Web API's fetch, and often carry what AWS said: redacted here (src/redact).
 */
export function errorText(message: string): string {
  return `:warning: ${esc(redactText(message))}`;
}

/**
 * What the person who asked sees at once, beside the ack: nothing when the work started,
 * else why it waits, joins another run or cannot start.
 */
export function admissionText(a: Admission, now = Date.now()): string | undefined {
  switch (a.state) {
    case 'started':
      return undefined;
    case 'queued':
      return `:hourglass_flowing_sand: whybot is busy (${a.running} running): yours is queued as #${a.position} and starts as soon as one finishes.`;
    case 'joined':
      return `:eyes: <@${esc(a.askedBy)}> asked the same ${Math.max(0, Math.round((now - a.askedAt) / 1000))} s ago: the answer is coming in whybot's thread in this channel.`;
    case 'refused':
      return errorText(`Nothing was started: ${a.reason}. Try again in a minute.`);
  }
}

export function pickTargetMessage(
  playbook: string,
  label: string,
  candidates: Array<{ id: string; description: string; account?: string; region?: string }>,
  blockId: string,
  note?: string,
): SlackMessageBody {
  // an option whose value cannot fit is left out, and said, rather than cut (encodePickValue)
  const fits = candidates.flatMap((c) => {
    const value = encodePickValue(c);
    return value === undefined ? [] : [{ c, value }];
  });
  const tooLong = candidates.length - fits.length;
  const shown = fits.slice(0, 100);
  const withPlace = candidates.some((c) => c.account);
  const more = [
    ...(fits.length > 100 ? [` (first 100 of ${fits.length}; type the name to pick another)`] : []),
    ...(tooLong ? [` ${tooLong} more not in the menu (too long for it): name the ${esc(label)}${withPlace ? ' and pass `--account A` `--region R`' : ''}.`] : []),
  ].join('');
  return {
    text: `Which ${label} should I investigate?`,
    blocks: [
      section(`Which ${esc(label)} should I investigate with ${code(playbook)}?${more}`),
      ...(shown.length
        ? [
            {
              type: 'actions',
              block_id: blockId,
              elements: [
                {
                  type: 'static_select',
                  action_id: 'pick-target',
                  placeholder: { type: 'plain_text', text: `Choose a ${label}`.slice(0, 150) },
                  // the place first in the text, and in the value when the choice is between accounts × Regions (PickContext.m)
                  options: shown.map(({ c, value }) => ({ text: { type: 'plain_text', text: pickLabel(c) }, value })),
                },
              ],
            } as Block,
          ]
        : []),
      ...(note ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: esc(note) }] } as Block] : []),
    ],
  };
}
