// Give a function (a rotation function that runs out of time between its steps, incident 002)
// a longer timeout. Timeout only: code, memory, network and environment stay as they are.
import * as z from 'zod';
import { defineActionMeta } from './define.js';
import { shellQuote as q } from './shell.js';

export const LambdaTimeoutParams = z.object({
  /** name, full or partial ARN (as Lambda's FunctionName takes it) */
  functionName: z.string().regex(/^(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?[a-zA-Z0-9-_]{1,64}$/),
  timeoutSeconds: z.coerce.number().int().min(1).max(900),
  /** the timeout now, for the label and the undo */
  currentSeconds: z.coerce.number().int().min(1).max(900).optional(),
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
});
export type LambdaTimeoutParams = z.infer<typeof LambdaTimeoutParams>;

export const functionShortName = (f: string) => f.replace(/^.*:function:/, '');

export const lambdaTimeoutMeta = defineActionMeta({
  id: 'lambda-timeout',
  params: LambdaTimeoutParams,
  dangerous: false,
  label: (p) => `Set ${functionShortName(p.functionName)}'s timeout to ${p.timeoutSeconds} s${p.currentSeconds ? ` (now ${p.currentSeconds} s)` : ''}`,
  doing: (p) => `setting ${functionShortName(p.functionName)}'s timeout to ${p.timeoutSeconds} s`,
  plan: (p) => ({
    resource: `Lambda function ${functionShortName(p.functionName)} (${p.region})`,
    apiCall: `lambda:UpdateFunctionConfiguration { FunctionName: "${p.functionName}", Timeout: ${p.timeoutSeconds} }`,
    effect:
      `Invocations that start after the update may run up to ${p.timeoutSeconds} s` +
      `${p.currentSeconds ? ` instead of ${p.currentSeconds} s` : ''}; one already running keeps its old limit. ` +
      'Nothing else about the function changes. A longer timeout can also mean longer (billed) runs when something hangs.',
    verification: `GetFunctionConfiguration shows Timeout = ${p.timeoutSeconds} and LastUpdateStatus = Successful.`,
    undo: `Run this again with ${p.currentSeconds ?? 'the previous number of'} seconds.`,
  }),
  iamActions: { write: ['lambda:UpdateFunctionConfiguration'], read: ['lambda:GetFunctionConfiguration'] },
  cli: (p) => {
    const base = `--region ${q(p.region)} --function-name ${q(p.functionName)}`;
    return [
      `aws lambda update-function-configuration ${base} --timeout ${p.timeoutSeconds} --query '{Timeout: Timeout, LastUpdateStatus: LastUpdateStatus}'`,
      `aws lambda wait function-updated ${base}`,
      `aws lambda get-function-configuration ${base} --query '{Timeout: Timeout, LastUpdateStatus: LastUpdateStatus}'`,
    ];
  },
});
