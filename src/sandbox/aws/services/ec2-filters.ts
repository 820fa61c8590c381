// EC2 Describe* request filters (`Filter.N.Name`, `Filter.N.Value.M`, `*`/`?` wildcards,
// `tag:<key>`, `tag-key`) and the `tagSet` answer, shared by the EC2 service modules.
import { AwsError } from '../errors.js';
import { xmlList } from '../protocols/query-xml.js';
import type { ParamReader } from './params.js';

export type Tags = { key: string; value: string }[];

export interface Filter {
  name: string;
  values: string[];
}

export function filters(p: ParamReader, known: readonly string[]): Filter[] {
  const out: Filter[] = [];
  for (const raw of p.list('Filter') ?? []) {
    const f = (raw ?? {}) as Record<string, unknown>;
    const name = typeof f.Name === 'string' ? f.Name : '';
    const values = Array.isArray(f.Value) ? f.Value.filter((v): v is string => typeof v === 'string') : [];
    if (!known.includes(name) && !name.startsWith('tag:')) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`, 400);
    out.push({ name, values });
  }
  return out;
}

/** EC2 filter values accept `*` and `?` wildcards. */
export function matches(value: string | undefined, patterns: string[]): boolean {
  if (value === undefined) return false;
  return patterns.some((pat) => {
    const re = new RegExp(`^${pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    return re.test(value);
  });
}

export function tagFilter(f: Filter, tags: Tags): boolean | undefined {
  if (f.name === 'tag-key') return tags.some((t) => matches(t.key, f.values));
  if (f.name.startsWith('tag:')) {
    const key = f.name.slice(4);
    return tags.some((t) => t.key === key && matches(t.value, f.values));
  }
  return undefined;
}

export const tagSet = (tags: Tags) => xmlList('item', tags.map((t) => ({ key: t.key, value: t.value })));

