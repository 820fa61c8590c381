/**
 * Typed access to request members for both protocols: JSON gives numbers, booleans and
 * epoch-second timestamps; the query protocol gives strings throughout (ISO timestamps,
 * "true"/"false", an empty string for an empty list). Invalid or missing members raise the
 * protocol's own validation error.
 */
import type { CommonErrors } from '../protocols/types.js';
import type { OperationContext, Params } from './types.js';

export class ParamReader {
  private readonly errors: CommonErrors;
  private readonly params: Params;

  constructor(ctx: Pick<OperationContext, 'params' | 'protocol'>) {
    this.params = ctx.params;
    this.errors = ctx.protocol.errors;
  }

  private raw(name: string, required: boolean): unknown {
    const value = this.params[name];
    if ((value === undefined || value === null) && required) throw this.errors.missingParameter(name);
    return value ?? undefined;
  }

  invalid(message: string): Error {
    return this.errors.invalidParameter(message);
  }

  str(name: string, required: true): string;
  str(name: string, required?: false): string | undefined;
  str(name: string, required = false): string | undefined {
    const value = this.raw(name, required);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.invalid(`${name} must be a string`);
    if (required && value === '') throw this.errors.missingParameter(name);
    return value;
  }

  int(name: string): number | undefined {
    const value = this.raw(name, false);
    if (value === undefined || value === '') return undefined;
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
    if (!Number.isInteger(n)) throw this.invalid(`${name} must be an integer`);
    return n;
  }

  bool(name: string): boolean | undefined {
    const value = this.raw(name, false);
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw this.invalid(`${name} must be a boolean`);
  }

  date(name: string): Date | undefined {
    const value = this.raw(name, false);
    if (value === undefined || value === '') return undefined;
    const d = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw this.invalid(`${name} must be a timestamp`);
    return d;
  }

  list(name: string, required = false): unknown[] | undefined {
    const value = this.raw(name, required);
    if (value === undefined) return undefined;
    if (value === '') return [];
    if (!Array.isArray(value)) throw this.invalid(`${name} must be a list`);
    return value;
  }

  strings(name: string, required = false): string[] | undefined {
    const items = this.list(name, required);
    if (items === undefined) return undefined;
    if (!items.every((i): i is string => typeof i === 'string')) throw this.invalid(`${name} must be a list of strings`);
    return items;
  }

  object(name: string): Record<string, unknown> | undefined {
    const value = this.raw(name, false);
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || Array.isArray(value) || value === null) throw this.invalid(`${name} must be a structure`);
    return value as Record<string, unknown>;
  }
}
