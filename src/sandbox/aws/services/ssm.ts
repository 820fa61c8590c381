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
  },
  iamResource,
};
