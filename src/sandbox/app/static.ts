// The page's files (src/sandbox/app/public/), served read-only: only regular files inside
// that folder, found by name (no `..`, no encoded separators, no dotfiles), with their type.
import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * The public folder: beside this module (src/ under vitest, or dist/ when the build copied
 * it), else the source folder seen from dist/sandbox/app/ (`npm run build` + `npm start`).
 */
export function publicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'public'), path.resolve(here, '../../../src/sandbox/app/public')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

export type StaticResult = { status: 200; type: string; body: Buffer } | { status: 403 | 404; type: string; body: Buffer };

const notFound = (status: 403 | 404): StaticResult => ({ status, type: 'text/plain; charset=utf-8', body: Buffer.from(status === 403 ? 'forbidden\n' : 'not found\n') });

/** The file for a URL path ("/" is index.html); 403 for any attempt to leave the folder. */
export async function readStatic(root: string, urlPath: string): Promise<StaticResult> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return notFound(403);
  }
  if (decoded === '/' || decoded === '') decoded = '/index.html';
  const parts = decoded.split('/').filter((p) => p !== '');
  if (decoded.includes('\0') || decoded.includes('\\') || parts.some((p) => p === '..' || p === '.' || p.startsWith('.'))) return notFound(403);
  const file = path.join(root, ...parts);
  let rootReal: string;
  let real: string;
  try {
    rootReal = await realpath(root);
    real = await realpath(file);
  } catch {
    return notFound(404);
  }
  // symlinks out of the folder count as leaving it
  if (real !== rootReal && !real.startsWith(rootReal + path.sep)) return notFound(403);
  try {
    if (!(await stat(real)).isFile()) return notFound(404);
    const body = await readFile(real);
    return { status: 200, type: TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream', body };
  } catch {
    return notFound(404);
  }
}
