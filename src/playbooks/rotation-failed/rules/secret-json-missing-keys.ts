// Incident 002: "… key is missing from secret JSON". The function's own log names the key;
// whybot never reads the value to find out.
import { code, para, pre, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { engineOf, isAlternatingUsers, lastAttempt, requiredKeys } from '../facts.js';
import { fnName, invocationEvidence, rotateNow } from '../wording.js';

export default rule({
  id: 'secret-json-missing-keys',
  severity: 'critical',
  summary: 'The function’s log says a key is missing from the secret’s JSON (which key, and the structure the engine needs)',
  needs: ['logs'],
  remediations: ['rotate-now'],
  apply(e) {
    const inv = lastAttempt(e).filter((i) => i.missingKey !== undefined).at(-1) ?? (e.logs?.invocations ?? []).filter((i) => i.missingKey !== undefined).at(-1);
    if (!inv) return undefined;
    const key = inv.missingKey!;
    const engine = engineOf(e);
    const keys = requiredKeys(engine, isAlternatingUsers(e));
    const shape = `{\n${[...new Set([...keys, key])].map((k) => `  "${k}": <${k}>`).join(',\n')}\n}`;
    return {
      data: { key, engine, keys, requestId: inv.requestId },
      title: `The secret’s JSON has no "${key}" key: ${fnName(e)} stopped at ${inv.steps[0] ?? 'its first step'}`,
      detail: rich(
        para(
          `The rotation function reads the secret as JSON and needs the key `,
          code(key),
          `. For ${engine === 'unknown' ? 'this kind of database' : engine}${isAlternatingUsers(e) ? ' with alternating users' : ''} the templates expect:`,
        ),
        pre(shape),
        para(
          'Add the missing key in the Secrets Manager console (Retrieve secret value → Edit) or with ',
          code('aws secretsmanager put-secret-value'),
          ' from a file you keep off the command line. whybot never reads or writes the value.',
        ),
      ),
      evidence: [invocationEvidence(inv)],
      remediations: rotateNow(e),
    };
  },
});
