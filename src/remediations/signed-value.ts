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

  /** The button value, or undefined when it would exceed Slack's 2000 characters. */
  sign(payload: Omit<ActionPayload, 'v' | 'n' | 'e'> & { ttlSeconds: number; now?: number; n?: string }): string | undefined {
    const { ttlSeconds, now = Date.now(), n, ...rest } = payload;
    const full: ActionPayload = { v: 1, ...rest, n: n ?? ActionSigner.newNonce(), e: Math.floor(now / 1000) + ttlSeconds };
    const body = Buffer.from(JSON.stringify(full)).toString('base64url');
    const value = `${body}.${this.mac(body).toString('base64url')}`;
    return value.length <= VALUE_MAX ? value : undefined;
  }

  verify(value: string | undefined, now = Date.now()): { ok: true; payload: ActionPayload } | { ok: false; why: VerifyFailure } {
    if (!value) return { ok: false, why: 'malformed' };
    if (value.length > VALUE_MAX) return { ok: false, why: 'too-long' };
    const dot = value.indexOf('.');
    if (dot < 1) return { ok: false, why: 'malformed' };
    const body = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, why: 'bad-signature' };
    let parsed;
    try {
      parsed = ActionPayloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    } catch {
      return { ok: false, why: 'malformed' };
    }
    if (!parsed.success) return { ok: false, why: 'malformed' };
    if (parsed.data.e * 1000 < now) return { ok: false, why: 'expired' };
    return { ok: true, payload: parsed.data };
  }
}
