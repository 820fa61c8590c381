// What a remediation button carries, signed: the action, its params, the thread it belongs
// to, a nonce (claimed once in the store) and an expiry, with an HMAC over all of it so a
// forged or altered value is refused before anything else happens.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

export const VALUE_MAX = 2000;

export const ActionPayloadSchema = z.object({
  v: z.literal(1),
  /** action id */
  a: z.string().max(64),
  /** params */
  p: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** the WHYBOT_ACCOUNTS alias the action runs in (its Region is in the params); absent = whybot's own account */
  ac: z.string().max(64).optional(),
  /** channel and thread root */
  c: z.string().max(32),
  t: z.string().max(32),
  /** nonce */
  n: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  /** expiry, epoch seconds */
  e: z.number().int(),
  /** for a dangerous action awaiting approval: who asked (the approver must be someone else) */
  r: z.string().max(32).optional(),
});
export type ActionPayload = z.infer<typeof ActionPayloadSchema>;

export type VerifyFailure = 'malformed' | 'bad-signature' | 'expired' | 'too-long';

/** `<base64url body>.<base64url HMAC-SHA256>`, unpadded: the only spelling sign() produces. */
const VALUE_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/**
 * The one JSON text of a payload: keys in a fixed order (v a p ac c t r n e), params sorted by
 * key, no whitespace. A value whose body is any other text of the same payload (reordered or
 * duplicate keys, spaces, escapes, `1.0` for `1`, unknown keys) is refused.
 */
export function canonicalPayloadJson(p: ActionPayload): string {
  const params: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(p.p).sort()) params[key] = p.p[key]!;
  return JSON.stringify({ v: p.v, a: p.a, p: params, ...(p.ac !== undefined ? { ac: p.ac } : {}), c: p.c, t: p.t, ...(p.r !== undefined ? { r: p.r } : {}), n: p.n, e: p.e });
}

export class ActionSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (Buffer.byteLength(secret) < 32) throw new Error('WHYBOT_ACTION_SECRET must be at least 32 bytes');
    this.key = Buffer.from(secret);
  }

  static newNonce(): string {
    return randomBytes(16).toString('base64url');
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(`whybot-action:v1:${body}`).digest();
  }

  private encode(payload: ActionPayload): string {
    const body = Buffer.from(canonicalPayloadJson(payload)).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The button value, or undefined when it would exceed Slack's 2000 characters. */
  sign(payload: Omit<ActionPayload, 'v' | 'n' | 'e'> & { ttlSeconds: number; now?: number; n?: string }): string | undefined {
    const { ttlSeconds, now = Date.now(), n, ...rest } = payload;
    const value = this.encode({ v: 1, ...rest, n: n ?? ActionSigner.newNonce(), e: Math.floor(now / 1000) + ttlSeconds });
    return value.length <= VALUE_MAX ? value : undefined;
  }

  /**
   * Accepts exactly the spelling sign() produces: the value must equal the re-encoding of what
   * it decodes to, byte for byte (no padding, no `+/` alphabet, no whitespace, no other JSON
   * text of the same payload). The MAC is checked first, in constant time.
   */
  verify(value: string | undefined, now = Date.now()): { ok: true; payload: ActionPayload } | { ok: false; why: VerifyFailure } {
    if (typeof value !== 'string' || value.length === 0) return { ok: false, why: 'malformed' };
    if (value.length > VALUE_MAX) return { ok: false, why: 'too-long' };
    if (!VALUE_SHAPE.test(value)) return { ok: false, why: 'malformed' };
    const dot = value.indexOf('.');
    const body = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, why: 'bad-signature' };
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.toString('base64url') !== body) return { ok: false, why: 'malformed' };
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    let parsed;
    try {
      parsed = ActionPayloadSchema.safeParse(JSON.parse(text));
    } catch {
      return { ok: false, why: 'malformed' };
    }
    if (!parsed.success) return { ok: false, why: 'malformed' };
    // One spelling only: the body's JSON text and the MAC's base64url must be the canonical ones.
    if (this.encode(parsed.data) !== value) return { ok: false, why: 'malformed' };
    if (parsed.data.e * 1000 < now) return { ok: false, why: 'expired' };
    return { ok: true, payload: parsed.data };
  }
}
