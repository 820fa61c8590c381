/**
 * AWS IAM (awsQuery, API version 2010-05-08): SimulatePrincipalPolicy only, evaluated simply
 * against the scenario's `iam.allow` list ({ principal, action, resource }, `*`/`?`
 * wildcards): `allowed` when an entry matches, else `implicitDeny`. No explicit denies,
 * conditions, boundaries or SCPs. IAM is global; the double keeps it with the scenario's
 * Region (clients pointed at the double sign with their own Region).
 *
 * PolicySourceArn must be a user, group or role ARN of the scenario's account (an STS
 * assumed-role ARN is `InvalidInput`, as in AWS); any such ARN is taken to exist.
 */
import { AwsError } from '../errors.js';
import { QueryXmlProtocol, xmlList } from '../protocols/query-xml.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const VERSION = '2010-05-08';
const protocol = new QueryXmlProtocol({ version: VERSION, xmlns: `https://iam.amazonaws.com/doc/${VERSION}/` });

const SOURCE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):(user|group|role)\/(.+)$/;

export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '').test(value);
}

function simulatePrincipalPolicy(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const source = p.str('PolicySourceArn', true);
  const m = SOURCE_ARN.exec(source);
  if (!m) throw new AwsError('InvalidInput', `ARN ${source} is not valid.`, 400);
  if (m[1] !== ctx.world.accountId) throw new AwsError('NoSuchEntity', `The ${m[2]} with name ${m[3]!.split('/').at(-1)} cannot be found.`, 404);
  const actions = p.strings('ActionNames', true)!;
  if (actions.length === 0) throw protocol.errors.missingParameter('ActionNames');
  const resources = p.strings('ResourceArns') ?? [];
  const targets = resources.length > 0 ? resources : ['*'];
  const results = actions.flatMap((action) =>
    targets.map((resource) => {
      const match = ctx.world.iam.allow.findIndex(
        (a) =>
          wildcardMatch(a.principal, source) &&
          wildcardMatch(a.action, action, true) &&
          (resource === '*' ? a.resource === '*' : wildcardMatch(a.resource, resource)),
      );
      return {
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: match >= 0 ? 'allowed' : 'implicitDeny',
        MatchedStatements: xmlList(
          'member',
          match >= 0 ? [{ SourcePolicyId: `scenario-allow-${match}`, SourcePolicyType: 'IAM Policy' }] : [],
        ),
        MissingContextValues: xmlList('member', []),
      };
    }),
  );
  const { Marker: _m, MaxItems: _n, ...scope } = ctx.params;
  const page = paginate(results, {
    token: p.str('Marker'),
    limit: p.int('MaxItems') ?? 100,
    scope,
    invalidToken: () => new AwsError('InvalidInput', 'Invalid Marker.', 400),
  });
  return {
    EvaluationResults: xmlList('member', page.items),
    IsTruncated: page.next !== undefined,
    ...(page.next !== undefined && { Marker: page.next }),
  };
}

function iamResource(_operation: string, params: Params): string {
  return typeof params.PolicySourceArn === 'string' && params.PolicySourceArn !== '' ? params.PolicySourceArn : '*';
}

export const iam: ServiceModule = {
  signingName: 'iam',
  protocol,
  operations: { SimulatePrincipalPolicy: simulatePrincipalPolicy },
  iamResource,
};
