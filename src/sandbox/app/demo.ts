// `whybot demo [scenario] [playbook [target]] [--json]`: a playbook run against a scenario in
// the AWS double, with dummy credentials, nothing configured. The double listens on 127.0.0.1
// for the run only; the clients reach it through AWS_ENDPOINT_URL like any endpoint override.
import { AwsClients } from '../../aws/clients.js';
import type { Config } from '../../config.js';
import { PLAYBOOK_CATALOG } from '../../playbooks/catalog.js';
import { chooseTarget } from '../../playbooks/candidates.js';
import { loadPlaybook } from '../../playbooks/index.js';
import { redactDeep } from '../../redact/index.js';
import { colorEnabled } from '../../render/terminal.js';
import { renderText } from '../../render/text.js';
import { startAwsDouble } from '../aws/server.js';
import { listScenarios, loadScenario } from '../scenario.js';
import { DEFAULT_SCENARIO, defaultInvocation } from './scenarios.js';

export const DEMO_USAGE = 'whybot demo [scenario] [playbook [target]] [--json]   a playbook against a built-in scenario: no AWS account, no credentials';

export type DemoOutcome = { ok: true; output: string } | { ok: false; usage: string };

export interface DemoArgs {
  scenario: string;
  playbook: string;
  target?: string;
  json: boolean;
}

export async function parseDemoArgs(argv: string[]): Promise<{ ok: true; args: DemoArgs } | { ok: false; message: string }> {
  const json = argv.includes('--json');
  const unknown = argv.filter((a) => a.startsWith('-') && a !== '--json');
  if (unknown.length > 0) return { ok: false, message: `Unknown option ${unknown[0]} for demo. Usage: ${DEMO_USAGE}` };
  const words = argv.filter((a) => !a.startsWith('-'));
  const scenarios = await listScenarios();
  // `whybot demo db-down prod-db` means the default scenario; a word that names a scenario
  // is the scenario even when a playbook has the same name (`demo rotation-failed rotation-failed s`)
  const isScenario = words[0] !== undefined && (scenarios.includes(words[0]) || !Object.hasOwn(PLAYBOOK_CATALOG, words[0]));
  const scenario = isScenario ? words.shift()! : DEFAULT_SCENARIO;
  if (!scenarios.includes(scenario)) return { ok: false, message: `No scenario "${scenario}". Scenarios: ${scenarios.join(', ')}` };
  if (words.length > 2) return { ok: false, message: `Too many arguments. Usage: ${DEMO_USAGE}` };
  const fallback = defaultInvocation(scenario);
  const playbook = words[0] ?? fallback.playbook;
  if (!Object.hasOwn(PLAYBOOK_CATALOG, playbook)) return { ok: false, message: `Unknown playbook "${playbook}". Playbooks: ${Object.keys(PLAYBOOK_CATALOG).join(', ')}` };
  const target = words[1] ?? (words[0] === undefined ? fallback.target : undefined);
  if (target !== undefined && !PLAYBOOK_CATALOG[playbook]!.target.pattern.test(target)) return { ok: false, message: `Bad ${PLAYBOOK_CATALOG[playbook]!.target.label} "${target}": ${PLAYBOOK_CATALOG[playbook]!.target.hint}` };
  return { ok: true, args: { scenario, playbook, ...(target !== undefined ? { target } : {}), json } };
}

export async function runDemo(argv: string[], config: Pick<Config, 'checkTimeoutMs' | 'defaultHours'>): Promise<DemoOutcome> {
  const parsed = await parseDemoArgs(argv);
  if (!parsed.ok) return { ok: false, usage: parsed.message };
  const { scenario: name, playbook: playbookName, json } = parsed.args;
  const scenario = await loadScenario(name);
  const double = await startAwsDouble({ scenario });
  // Only the double: no profile, no per-service endpoint, no real credentials are used.
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_ENDPOINT_URL_')) delete process.env[key];
  for (const key of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']) delete process.env[key];
  process.env.AWS_ENDPOINT_URL = double.url;
  process.env.AWS_ACCESS_KEY_ID = 'AKIASANDBOXEXAMPLE00';
  process.env.AWS_SECRET_ACCESS_KEY = 'sandbox-secret-access-key-not-a-real-one';
  const region = scenario.region;
  // the answer goes to stdout (src/entry/cli.ts): coloured only there on a terminal, never with NO_COLOR
  const color = colorEnabled(process.stdout);
  const aws = new AwsClients({ region, maxAttempts: 2 });
  try {
    const playbook = (await loadPlaybook(playbookName))!;
    let target = parsed.args.target;
    if (!target) {
      const choice = await chooseTarget(playbook, aws, { region, hours: config.defaultHours });
      if (choice.kind === 'healthy') return { ok: true, output: json ? JSON.stringify(redactDeep(choice.result), null, 2) + '\n' : renderText(choice.result, { color }) };
      if (choice.kind === 'one') target = choice.id;
      else if (choice.kind === 'none') return { ok: false, usage: `Nothing for ${playbookName} in scenario ${name}: pass the ${playbook.target.label}.` };
      else return { ok: false, usage: `Which ${playbook.target.label}? Scenario ${name} has: ${choice.candidates.map((c) => c.id).join(', ')}` };
    }
    const result = await playbook.run(aws, { target, region, hours: config.defaultHours }, { timeoutMs: config.checkTimeoutMs });
    const header = `whybot demo: ${playbookName} ${target} against scenario ${name} (simulated account ${scenario.accountId}, ${region}; no AWS)\n\n`;
    return { ok: true, output: json ? JSON.stringify(redactDeep(result), null, 2) + '\n' : header + renderText(result, { color }) };
  } finally {
    aws.destroy();
    await double.close();
  }
}
