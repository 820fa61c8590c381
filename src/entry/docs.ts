// npm run docs: rewrites the README's generated playbook sections (src/playbooks/docs.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PLAYBOOK_CATALOG } from '../playbooks/catalog.js';
import { withSections } from '../playbooks/docs.js';
import { loadPlaybook } from '../playbooks/index.js';

const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));
const playbooks = await Promise.all(Object.keys(PLAYBOOK_CATALOG).map(async (n) => (await loadPlaybook(n))!));
const { text, missing } = withSections(await readFile(readmePath, 'utf8'), playbooks);
if (missing.length > 0) {
  process.stderr.write(`README.md has no generated section for: ${missing.join(', ')}. Add the two marker lines where it belongs.\n`);
  process.exitCode = 2;
}
await writeFile(readmePath, text);
