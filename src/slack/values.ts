// What buttons and menus carry. Everything coming back from Slack is parsed with zod.
import * as z from 'zod';
import { RemediationRefSchema, type RemediationRef } from '../findings.js';
import { MAX_HOURS } from '../time.js';

const VALUE_MAX = 2000;

const ShowCliValueSchema = z.object({
  v: z.literal(1),
  a: z.literal('show-cli'),
  r: z.array(RemediationRefSchema).min(1).max(10),
  /** the WHYBOT_ACCOUNTS alias the commands are for (absent: whybot's own account) */
  ac: z.string().max(64).optional(),
});
export type ShowCliValue = z.infer<typeof ShowCliValueSchema>;

export function encodeShowCli(refs: RemediationRef[], region: string | undefined, account?: string): string | undefined {
  if (refs.length === 0) return undefined;
  const value = JSON.stringify({ v: 1, a: 'show-cli', r: refs.map((r) => ({ ...r, params: { region: region ?? '', ...r.params } })), ...(account ? { ac: account } : {}) });
  return value.length <= VALUE_MAX ? value : undefined;
}

export function decodeShowCli(raw: string | undefined): ShowCliValue | undefined {
  if (!raw || raw.length > VALUE_MAX) return undefined;
  try {
    const parsed = ShowCliValueSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The rest of an investigation request, carried in a target menu's block_id (≤ 255 chars). */
const PickContextSchema = z.object({
  p: z.string().max(40),
  h: z.number().int().min(1).max(MAX_HOURS),
  r: z.string().max(30),
  s: z.string().max(200).optional(),
  /** the options name places too: their values are `id@account@region` (pickValue) */
  m: z.literal(1).optional(),
});
export type PickContext = z.infer<typeof PickContextSchema>;

export function encodePickContext(ctx: PickContext): string {
  const full = `pick:${JSON.stringify(ctx)}`;
  if (full.length <= 255) return full;
  const { s: _dropped, ...rest } = ctx;
  return `pick:${JSON.stringify(rest)}`;
}

export function decodePickContext(blockId: string | undefined): PickContext | undefined {
  if (!blockId?.startsWith('pick:')) return undefined;
  try {
    const parsed = PickContextSchema.safeParse(JSON.parse(blockId.slice(5)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Slack's limit on a select option's value, and on its text. */
export const OPTION_VALUE_MAX = 150;
export const OPTION_TEXT_MAX = 75;

export interface PickValue {
  target: string;
  account?: string;
  region?: string;
}

/**
 * A target menu option's value: the target, and with a place `target@account@region`.
 * Undefined when it does not fit Slack's 150 characters: a cut value would investigate
 * another target, or in another place, so such an option is left out (and counted) instead.
 */
export function encodePickValue(c: { id: string; account?: string; region?: string }): string | undefined {
  const value = c.account ? `${c.id}@${c.account}@${c.region ?? ''}` : c.id;
  return value.length <= OPTION_VALUE_MAX ? value : undefined;
}

/**
 * The option's value read back. The place is read from the right: a secret name may hold '@'
 * (Secrets Manager allows it), an account alias or a Region never does.
 */
export function decodePickValue(raw: string | undefined, withPlace: boolean): PickValue | undefined {
  if (!raw || raw.length > OPTION_VALUE_MAX) return undefined;
  if (!withPlace) return { target: raw };
  const r = raw.lastIndexOf('@');
  const a = r > 0 ? raw.lastIndexOf('@', r - 1) : -1;
  if (a <= 0) return undefined;
  const account = raw.slice(a + 1, r);
  const region = raw.slice(r + 1);
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(account) && /^[a-z0-9-]{1,30}$/.test(region) ? { target: raw.slice(0, a), account, region } : undefined;
}

/**
 * An option's text within Slack's 75 characters, the place first so that cutting never makes
 * two options in different places read alike: "payments-prod us-east-1: prod-db (cluster,
 * available)"; a long id loses its middle ("…") before the place is touched.
 */
export function pickLabel(c: { id: string; description: string; account?: string; region?: string }): string {
  const head = c.account ? `${c.account} ${c.region ?? ''}: ` : '';
  const full = `${head}${c.id} (${c.description})`;
  if (full.length <= OPTION_TEXT_MAX) return full;
  const room = OPTION_TEXT_MAX - head.length;
  if (c.id.length <= room) return `${head}${c.id}`;
  if (room < 5) return `${head}${c.id}`.slice(0, OPTION_TEXT_MAX);
  const keep = room - 1;
  return `${head}${c.id.slice(0, Math.ceil(keep / 2))}…${c.id.slice(c.id.length - Math.floor(keep / 2))}`;
}
