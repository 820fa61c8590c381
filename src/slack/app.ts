// The Bolt app: thin listeners that validate, ack within Slack's 3 s, and hand the work to
// the job runner. The receiver is chosen by the entry point (Socket Mode, HTTP, Lambda).
import { App, LogLevel, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { parseInvocation, tokenize } from '../playbooks/invocation.js';
import { PLAYBOOK_CATALOG as playbooks } from '../playbooks/catalog.js';
import { playbookHelp, playbookOptions, suggestPlaybooks } from '../playbooks/help.js';
import { cliScript } from '../remediations/cli-commands.js';
import { redactText } from '../redact/index.js';
import { slackClientOptions } from './client-options.js';
import type { BotIdentity } from './identity.js';
import type { JobRunner } from './jobs.js';
import { code, esc } from '../render/mrkdwn.js';
import { admissionText, errorText, showCliMessage } from './render.js';
import { decodePickContext, decodePickValue, decodeShowCli } from './values.js';
import { registerRemediation, type RemediationDeps } from './remediate.js';

export interface SlackAppDeps {
  /** the remediation path; absent = show-cli only */
  remediation?: RemediationDeps;
  config: Config;
  botToken: string;
  receiver: Receiver;
  jobs: JobRunner;
  log: Logger;
  /** known bot identity: Bolt skips its auth.test at start (Lambda cold starts) */
  identity?: BotIdentity;
}

export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  // Request and response bodies are never logged, at any level: @slack/web-api's debug lines
  // "http request body: …", "http request headers: …", "http request result: …" and Bolt's
  // developer-mode dump of every incoming body (a bare JSON object).
  const BODY = /^\s*(?:http request (?:body|headers|result)\b|[{[])/;
  const line = (m: unknown[]): string | undefined => {
    const text = m.map(String).join(' ');
    return BODY.test(text) ? undefined : text;
  };
  const at = (write: (o: { bolt: string }) => void) => (...m: unknown[]) => {
    const bolt = line(m);
    if (bolt !== undefined) write({ bolt });
  };
  return {
    debug: at((o) => log.debug(o)),
    info: at((o) => log.info(o)),
    warn: at((o) => log.warn(o)),
    error: at((o) => log.error(o)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** `/why` alone: every playbook with its target and one-line summary, escaped like any text. */
export const WHY_HELP = [
  '*whybot* answers “why is it broken?” for AWS outages caused by credentials, keys and DNS. Playbooks:',
  ...playbookHelp().map((p) => `• ${code(`/why-${p.name} ${p.target}`)} — ${esc(p.summary)}`),
  `Options: ${code('--hours N')} ${code('--account A')} ${code('--region R')}. ${code('/why <playbook> <target>')} reaches every playbook too; ${code('/why help')} shows this.`,
].join('\n');

/** `/why <text>` whose first word is no playbook: the closest names, then the list. */
export function unknownPlaybookText(typed: string): string {
  const close = suggestPlaybooks(typed);
  const shown = typed.length > 60 ? `${typed.slice(0, 60)}…` : typed;
  const hint = close.length > 0 ? ` Did you mean ${close.map((n) => code(`/why ${n}`)).join(' or ')}?` : '';
  return `${errorText('There is no playbook')} ${code(redactText(shown))}.${hint}\n${WHY_HELP}`;
}

export function createSlackApp(deps: SlackAppDeps): App {
  const { config, jobs, log } = deps;
  const app = new App({
    token: deps.botToken,
    receiver: deps.receiver,
    logger: boltLogger(log.child({ component: 'bolt' })),
    clientOptions: slackClientOptions(config),
    ...(deps.identity ? { botId: deps.identity.botId, botUserId: deps.identity.botUserId, tokenVerificationEnabled: false } : {}),
  });

  type SlashArgs = Parameters<Parameters<typeof app.command>[1]>[0];
  async function investigate(playbookName: string, text: string, { command, ack }: Pick<SlashArgs, 'command' | 'ack'>) {
    const entry = playbooks[playbookName]!;
    const parsed = parseInvocation(tokenize(text), { hours: config.defaultHours }, false, entry.target);
    if (!parsed.ok) {
      const t = entry.target.required ? `<${entry.target.label}>` : `[${entry.target.label}]`;
      await ack({ response_type: 'ephemeral', text: errorText(`${parsed.message} Usage: /why-${playbookName} ${t} ${playbookOptions(entry)}`) });
      return;
    }
    const channelDefault = config.channelDefaults[command.channel_id];
    if (parsed.value.account && !config.accounts?.[parsed.value.account]) {
      const known = Object.keys(config.accounts ?? {});
      await ack({ response_type: 'ephemeral', text: errorText(known.length ? `No account "${parsed.value.account}". Accounts: ${known.join(', ')}.` : '--account needs accounts to choose from: whybot has no WHYBOT_ACCOUNTS.') });
      return;
    }
    // with accounts, a Region not asked for is only a default: the investigation searches them all
    const region = parsed.value.region ?? channelDefault?.region ?? config.region ?? (config.accounts ? Object.values(config.accounts)[0]!.regions[0] : undefined);
    if (!region) {
      await ack({ response_type: 'ephemeral', text: errorText('whybot has no default AWS Region (AWS_REGION is not set): add --region R.') });
      return;
    }
    const admission = await jobs.dispatch({
      kind: 'investigate',
      playbook: playbookName,
      channel: command.channel_id,
      user: command.user_id,
      region,
      ...(parsed.value.region || channelDefault?.region ? { regionAsked: true } : {}),
      ...(parsed.value.account ? { account: parsed.value.account } : {}),
      hours: parsed.value.hours,
      ...(parsed.value.target ? { target: parsed.value.target } : {}),
      ...(parsed.value.secret ? { secret: parsed.value.secret } : {}),
      responseUrl: command.response_url,
    });
    const reply = admissionText(admission);
    await ack(reply ? { response_type: 'ephemeral', text: reply } : undefined);
    log.info({ playbook: playbookName, user: command.user_id, channel: command.channel_id, admission: admission.state }, 'slash command');
  }

  for (const name of Object.keys(playbooks))
    app.command(`/why-${name}`, async ({ command, ack }) => investigate(name, command.text, { command, ack }));

  app.command('/why', async ({ command, ack }) => {
    const [first, ...rest] = tokenize(command.text);
    if (!first || first === 'help') {
      await ack({ response_type: 'ephemeral', text: WHY_HELP });
      return;
    }
    if (!Object.hasOwn(playbooks, first)) {
      await ack({ response_type: 'ephemeral', text: unknownPlaybookText(first) });
      return;
    }
    await investigate(first, rest.join(' '), { command, ack });
  });

  app.action('show-cli', async ({ ack, body, action, client, respond }) => {
    await ack();
    const value = action.type === 'button' ? decodeShowCli(action.value) : undefined;
    if (!value || body.type !== 'block_actions') {
      await respond({ response_type: 'ephemeral', replace_original: false, text: errorText('This button is outdated or damaged; run the command again.') });
      return;
    }
    let script: string;
    try {
      script = cliScript(value.r);
      // commands for a member account say where they must run: with that account's write role
      const where = value.ac ? config.accounts?.[value.ac] : undefined;
      if (script && value.ac)
        script = `# in account ${value.ac}${where ? ` (${where.accountId}), as ${where.writeRoleArn ?? where.roleArn}` : ''}\n${script}`;
    } catch {
      await respond({ response_type: 'ephemeral', replace_original: false, text: errorText('This button carries parameters whybot does not accept.') });
      return;
    }
    const channel = body.channel?.id;
    const threadTs = body.message?.thread_ts ?? body.message?.ts;
    try {
      if (!channel || !script) throw new Error('nothing to post');
      await client.chat.postMessage({ channel, thread_ts: threadTs, ...showCliMessage(script) });
    } catch (err) {
      log.warn({ err: String(err) }, 'show-cli post failed');
      await respond({ response_type: 'ephemeral', replace_original: false, ...showCliMessage(script || '# nothing to run') });
    }
  });

  app.action('pick-target', async ({ ack, body, action, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'static_select') return;
    const ctx = decodePickContext(action.block_id);
    const picked = ctx ? decodePickValue(action.selected_option?.value, ctx.m === 1) : undefined;
    const { target, account, region } = picked ?? {};
    const placeOk = !ctx?.m || (account !== undefined && region !== undefined && Object.hasOwn(config.accounts ?? {}, account));
    if (!ctx || !target || !placeOk || !Object.hasOwn(playbooks, ctx.p) || !playbooks[ctx.p]!.target.pattern.test(target) || !body.channel?.id) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: errorText('That choice is outdated; run the command again.') });
      return;
    }
    const admission = await jobs.dispatch({
      kind: 'investigate',
      playbook: ctx.p,
      channel: body.channel.id,
      user: body.user.id,
      target,
      region: region ?? ctx.r,
      ...(ctx.m ? { account: account!, regionAsked: true } : {}),
      hours: ctx.h,
      ...(ctx.s ? { secret: ctx.s } : {}),
      responseUrl: body.response_url,
    });
    await respond({ replace_original: true, text: admissionText(admission) ?? `Investigating ${code(target)}…` });
  });

  if (deps.remediation) registerRemediation(app, deps.remediation, jobs);

  app.error(async (err) => {
    log.error({ err: esc(String(err)) }, 'unhandled Bolt error');
  });

  return app;
}
