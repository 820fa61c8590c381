// The function exists and its log was read, but it shows no invocation for this secret in
// the window while the secret has a rotation that did not finish: Secrets Manager could not
// call the function (its resource policy), or the log is elsewhere.
import { code, para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { fnName } from '../wording.js';

export default rule({
  id: 'not-invoked',
  severity: 'warning',
  summary: 'A rotation did not finish and the function’s log shows no invocation for the secret: Secrets Manager may not be allowed to invoke it',
  needs: ['secret', 'logs'],
  remediations: [],
  apply(e) {
    if (!e.secret?.pendingVersion || !e.logs || e.logs.invocations.length > 0) return undefined;
    const name = fnName(e);
    return {
      data: { function: name, logGroup: e.logs.logGroupName, groupNotFound: e.logs.groupNotFound },
      title: e.logs.groupNotFound
        ? `${name} has no log group ${e.logs.logGroupName}: it has never run, or logs elsewhere`
        : `${name}’s log shows no invocation for ${e.secret.name} in the last ${e.input.hours} h`,
      detail: rich(
        para(
          'A version of the secret is labelled AWSPENDING, so a rotation started, but the function did not log it. ',
          'Secrets Manager invokes the function as itself: the function’s resource policy must allow ',
          code('secretsmanager.amazonaws.com'),
          ' to call ',
          code('lambda:InvokeFunction'),
          '. Check it with ',
          code(`aws lambda get-policy --function-name ${name}`),
          `; try a longer window (--hours) if the rotation is older.`,
        ),
      ),
      evidence: [{ source: 'CloudWatch Logs', text: `${e.logs.logGroupName}: ${e.logs.groupNotFound ? 'no such log group' : `no invocation for this secret since ${e.since.toISOString()}`}` }],
    };
  },
});
