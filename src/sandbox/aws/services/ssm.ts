/**
 * AWS Systems Manager Parameter Store (awsJson1_1, target prefix "AmazonSSM"):
 * GetParameters, GetParameter. A parameter is named by its name ("/whybot/prod/x") or its
 * ARN, optionally with a selector (":3" for a version; labels are not modelled, so a
 * label selector never matches). A SecureString read without WithDecryption answers, as
 * AWS does, with the encrypted value: here a base64 placeholder shaped like a KMS
 * ciphertext, derived from the parameter's ARN, version and key only (never its value).
 */
import { AwsError } from '../errors.js';
import { stableHex } from '../ids.js';
import { Json11Protocol } from '../protocols/json11.js';
import { arns, type SsmParameter, type World } from '../world.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const protocol = new Json11Protocol({
  messageKey: 'message',
  errors: { internal: () => new AwsError('InternalServerError', 'An internal error occurred. Please try again.', 500) },
});

const MAX_NAMES = 10;

interface Reference {
  /** the name or ARN, without its selector */
  id: string;
  /** ":3" or ":label" */
  selector?: string;
}

/** "name:3" / "arn:…:parameter/name:3" → id and selector (names cannot contain ":"). */
function parseReference(raw: string): Reference {
  const start = raw.startsWith('arn:') ? Math.max(0, raw.indexOf(':parameter') + ':parameter'.length) : 0;
  const colon = raw.indexOf(':', start);
  return colon < 0 ? { id: raw } : { id: raw.slice(0, colon), selector: raw.slice(colon) };
}

function findParameter(world: World, id: string): SsmParameter | undefined {
  return world.ssm.parameters.find((p) => (id.startsWith('arn:') ? p.arn === id : p.name === id));
}

/** Looks a reference up; `version` tells a missing version apart from a missing parameter. */
function resolve(world: World, raw: string): { parameter: SsmParameter; selector?: string } | { missing: 'parameter' | 'version' } {
  const ref = parseReference(raw);
  const parameter = findParameter(world, ref.id);
  if (!parameter) return { missing: 'parameter' };
  if (ref.selector === undefined) return { parameter };
  const version = /^:(\d+)$/.exec(ref.selector)?.[1];
  if (version === undefined || Number(version) !== parameter.version) return { missing: 'version' };
  return { parameter, selector: ref.selector };
}

/** A stand-in for KMS ciphertext: "AQICAH…" base64, stable per parameter version and key. */
export function encryptedPlaceholder(p: SsmParameter): string {
  const header = Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78]);
  const body = Buffer.from(stableHex(`ssm-ciphertext:${p.arn}:${p.version}:${p.keyId ?? ''}`, 2 * 150), 'hex');
  return Buffer.concat([header, body]).toString('base64');
}

function render(p: SsmParameter, decrypt: boolean, selector: string | undefined) {
  return {
    Name: p.name,
    Type: p.type,
    Value: p.type === 'SecureString' && !decrypt ? encryptedPlaceholder(p) : p.value,
    Version: p.version,
    Selector: selector,
    LastModifiedDate: p.lastModified,
    ARN: p.arn,
    DataType: 'text',
  };
}

function getParameters(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const names = p.strings('Names', true)!;
  const decrypt = p.bool('WithDecryption') ?? false;
  if (names.length === 0 || names.length > MAX_NAMES) {
    const constraint = names.length === 0 ? 'greater than or equal to 1' : `less than or equal to ${MAX_NAMES}`;
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length ${constraint}`,
    );
  }
  const parameters: ReturnType<typeof render>[] = [];
  const invalid: string[] = [];
  for (const name of new Set(names)) {
    const found = resolve(ctx.world, name);
    if ('missing' in found) invalid.push(name);
    else parameters.push(render(found.parameter, decrypt, found.selector));
  }
  return { Parameters: parameters, InvalidParameters: invalid };
}

function getParameter(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const name = p.str('Name', true);
  const decrypt = p.bool('WithDecryption') ?? false;
  const found = resolve(ctx.world, name);
  if ('missing' in found) {
    if (found.missing === 'version') {
      const ref = parseReference(name);
      throw new AwsError(
        'ParameterVersionNotFound',
        `Systems Manager could not find version ${(ref.selector ?? '').slice(1)} of ${ref.id}. Verify the version and try again.`,
      );
    }
    // AWS's ParameterNotFound carries an empty message.
    throw new AwsError('ParameterNotFound', '');
  }
  return { Parameter: render(found.parameter, decrypt, found.selector) };
}

// DescribeParameters: metadata only (never values). ParameterFilters keys Name (Equals,
// BeginsWith), Type, KeyId (Equals), Path (Recursive, OneLevel); the legacy Filters (Name,
// Type, KeyId) are read the same way. Pages of MaxResults (1–50, default 10).
const FILTER_KEYS = ['Name', 'Type', 'KeyId', 'Path'];

interface ParameterFilter {
  key: string;
  option: string;
  values: string[];
}

function readFilters(p: ParamReader): ParameterFilter[] {
  const out: ParameterFilter[] = [];
  for (const raw of [...(p.list('ParameterFilters') ?? []), ...(p.list('Filters') ?? [])]) {
    const f = (raw ?? {}) as Record<string, unknown>;
    const key = typeof f.Key === 'string' ? f.Key : '';
    const values = Array.isArray(f.Values) ? f.Values.filter((v): v is string => typeof v === 'string') : [];
    if (!FILTER_KEYS.includes(key)) throw new AwsError('InvalidFilterKey', `The following filter key is not valid: ${key}. Valid filter keys include: [${FILTER_KEYS.join(', ')}].`);
    const option = typeof f.Option === 'string' ? f.Option : key === 'Path' ? 'OneLevel' : 'Equals';
    if (values.length === 0) throw new AwsError('InvalidFilterValue', `The filter ${key} must have at least one value.`);
    out.push({ key, option, values });
  }
  return out;
}

function matches(param: SsmParameter, f: ParameterFilter): boolean {
  switch (f.key) {
    case 'Name':
      return f.values.some((v) => (f.option === 'BeginsWith' ? param.name.startsWith(v) : param.name === v));
    case 'Type':
      return f.values.includes(param.type);
    case 'KeyId':
      return param.keyId !== undefined && f.values.includes(param.keyId);
    default: {
      return f.values.some((v) => {
        const prefix = v.endsWith('/') ? v : `${v}/`;
        if (!param.name.startsWith(prefix)) return false;
        return f.option === 'Recursive' || !param.name.slice(prefix.length).includes('/');
      });
    }
  }
}

function describeParameters(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const filters = readFilters(p);
  const max = p.int('MaxResults') ?? 10;
  if (max < 1 || max > 50)
    throw new AwsError('ValidationException', `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50`);
  const all = ctx.world.ssm.parameters.filter((param) => filters.every((f) => matches(param, f)));
  const { NextToken: _t, MaxResults: _m, ...scope } = ctx.params;
  const page = paginate(all, { token: p.str('NextToken'), limit: max, scope, invalidToken: () => new AwsError('InvalidNextToken', 'The specified token is not valid.') });
  return {
    Parameters: page.items.map((param) => ({
      Name: param.name,
      ARN: param.arn,
      Type: param.type,
      ...(param.keyId !== undefined && { KeyId: param.keyId }),
      LastModifiedDate: param.lastModified,
      LastModifiedUser: `arn:aws:iam::${ctx.world.accountId}:user/admin`,
      Version: param.version,
      Tier: 'Standard',
      Policies: [],
      DataType: 'text',
    })),
    NextToken: page.next,
  };
}

function iamResource(_operation: string, params: Params, world: World): string {
  const raw = typeof params.Name === 'string' ? params.Name : Array.isArray(params.Names) ? params.Names[0] : undefined;
  if (typeof raw !== 'string' || raw === '') return '*';
  const { id } = parseReference(raw);
  return id.startsWith('arn:') ? id : (findParameter(world, id)?.arn ?? arns.ssmParameter(world, id));
}

export const ssm: ServiceModule = {
  signingName: 'ssm',
  protocol,
  operations: {
    GetParameters: getParameters,
    GetParameter: getParameter,
    DescribeParameters: describeParameters,
  },
  iamResource,
};
