// What buttons and menus carry. Everything coming back from Slack is parsed with zod.
import * as z from 'zod';
import { RemediationRefSchema, type RemediationRef } from '../findings.js';
import { MAX_HOURS } from '../time.js';

const VALUE_MAX = 2000;

const ShowCliValueSchema = z.object({
  v: z.literal(1),
  a: z.literal('show-cli'),
  r: z.array(RemediationRefSchema).min(1).max(10),
});
export type ShowCliValue = z.infer<typeof ShowCliValueSchema>;

export function encodeShowCli(refs: RemediationRef[], region: string | undefined): string | undefined {
  if (refs.length === 0) return undefined;
  const value = JSON.stringify({ v: 1, a: 'show-cli', r: refs.map((r) => ({ ...r, params: { region: region ?? '', ...r.params } })) });
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
  /** the options name places too: their values are `id@account@region` */
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
