// The secret points at a rotation function that no longer exists: every rotation fails at once.
import { code, para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'function-missing',
  severity: 'critical',
  summary: 'The secret’s rotation function does not exist (deleted, or in another account or Region)',
  needs: ['secret'],
  remediations: [],
  apply(e) {
    const arn = e.secret?.rotationLambdaArn;
    if (!e.functionMissing || !arn) return undefined;
    return {
      data: { secret: e.secret!.name, functionArn: arn },
      title: `Secret ${e.secret!.name} is rotated by ${arn.slice(arn.lastIndexOf(':') + 1)}, which does not exist`,
      detail: rich(
        para(
          'Secrets Manager cannot invoke a function that is gone, so every rotation fails before any step. ',
          'Re-create it from the rotation template (Secrets Manager console → the secret → Rotation → Edit rotation → create a function), or point the secret at an existing one: ',
          code(`aws secretsmanager rotate-secret --secret-id ${e.secret!.arn} --rotation-lambda-arn <function ARN>`),
          '.',
        ),
      ),
      evidence: [{ source: 'Lambda', text: `GetFunctionConfiguration ${arn}: ResourceNotFoundException` }],
    };
  },
});
