import { AwsCallError } from '../aws/errors.js';
import { functionConfiguration } from '../aws/lambda-function.js';
import { setFunctionTimeout } from '../aws/lambda-timeout.js';
import { defineAction } from './define.js';
import { functionShortName, lambdaTimeoutMeta } from './lambda-timeout.meta.js';
import { pollUntil } from './types.js';

export const lambdaTimeout = defineAction(lambdaTimeoutMeta, {
  async execute(aws, p) {
    const name = functionShortName(p.functionName);
    try {
      const out = await setFunctionTimeout(aws, p.functionName, p.timeoutSeconds);
      return { done: `set ${name}'s timeout to ${p.timeoutSeconds} s`, ...(out.requestId ? { awsRequestId: out.requestId } : {}) };
    } catch (err) {
      // Lambda refuses a second update while one is in progress: say so instead of a bare code.
      if (err instanceof AwsCallError && err.awsCode === 'ResourceConflictException')
        throw new AwsCallError(err.kind, err.iamAction, `${name} is being updated already (ResourceConflictException); try again in a minute`, err.awsCode, err.requestId);
      throw err;
    }
  },
  async reconcile(aws, p) {
    // Setting the timeout is idempotent: if the function has it, the write happened (or was not needed).
    const c = await functionConfiguration(aws, p.functionName);
    return c?.timeoutSeconds === p.timeoutSeconds
      ? { happened: 'happened', done: `set ${functionShortName(p.functionName)}'s timeout to ${p.timeoutSeconds} s` }
      : { happened: 'not-happened' };
  },
  async verify(aws, p, _facts, opts) {
    return pollUntil(async () => {
      const c = await functionConfiguration(aws, p.functionName);
      if (!c) return { done: true, ok: false, detail: `${functionShortName(p.functionName)} no longer exists` };
      const status = c.lastUpdateStatus ?? 'unknown';
      const detail = `timeout ${c.timeoutSeconds ?? '?'} s, last update ${status}${c.lastUpdateStatusReason ? ` (${c.lastUpdateStatusReason})` : ''}`;
      if (status === 'Failed') return { done: true, ok: false, detail };
      const ok = c.timeoutSeconds === p.timeoutSeconds && status === 'Successful';
      return { done: ok, ok, detail };
    }, opts);
  },
});
