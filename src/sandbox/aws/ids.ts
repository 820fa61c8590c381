/**
 * Identifiers. Anything derived from the scenario is deterministic (same scenario → same
 * EventId, version id, deployment id), so fixtures and snapshots stay stable; anything the
 * double creates at run time (request ids, new tasks) is random, as in AWS.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

/** lower-case hex of the given length, from a seed */
export function stableHex(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += digest(`${seed}#${i}`).toString('hex');
  return out.slice(0, length);
}

/** a version-4-shaped UUID from a seed */
export function stableUuid(seed: string): string {
  const h = stableHex(seed, 32).split('');
  h[12] = '4';
  h[16] = '89ab'[parseInt(h[16]!, 16) % 4]!;
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** decimal digits of the given length, from a seed (first digit non-zero) */
export function stableDigits(seed: string, length: number): string {
  const bytes = digest(seed);
  let out = '';
  for (let i = 0; out.length < length; i++) out += String(bytes[i % bytes.length]! % 10);
  return (out[0] === '0' ? '1' : out[0]!) + out.slice(1, length);
}

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

export function randomDigits(length: number): string {
  const bytes = randomBytes(length);
  let out = String((bytes[0]! % 9) + 1);
  for (let i = 1; i < length; i++) out += String(bytes[i]! % 10);
  return out;
}

export function newRequestId(): string {
  return randomUUID();
}

export { randomUUID };
