/**
 * Offset pagination with opaque tokens. A token remembers which request it belongs to
 * (a digest of the filtering members), so reusing it with different parameters fails the
 * way AWS's do (CloudTrail: "InvalidNextTokenException").
 */
import { createHash } from 'node:crypto';

interface TokenBody {
  o: number;
  s: string;
}

function scopeDigest(scope: unknown): string {
  return createHash('sha256').update(JSON.stringify(scope ?? null)).digest('base64url').slice(0, 12);
}

export interface PageRequest {
  /** NextToken / Marker from the request */
  token: string | undefined;
  limit: number;
  /** the members that select the items (not the token or page size) */
  scope: unknown;
  /** the service's error for a token it did not issue for this request */
  invalidToken: () => Error;
}

export interface Page<T> {
  items: T[];
  next?: string;
}

export function paginate<T>(all: readonly T[], req: PageRequest): Page<T> {
  const scope = scopeDigest(req.scope);
  let offset = 0;
  if (req.token !== undefined && req.token !== '') {
    let body: TokenBody;
    try {
      body = JSON.parse(Buffer.from(req.token, 'base64url').toString('utf8')) as TokenBody;
    } catch {
      throw req.invalidToken();
    }
    if (typeof body?.o !== 'number' || !Number.isInteger(body.o) || body.o < 0 || body.s !== scope) throw req.invalidToken();
    offset = body.o;
  }
  const items = all.slice(offset, offset + req.limit);
  const end = offset + items.length;
  if (end >= all.length) return { items };
  const token: TokenBody = { o: end, s: scope };
  return { items, next: Buffer.from(JSON.stringify(token)).toString('base64url') };
}
