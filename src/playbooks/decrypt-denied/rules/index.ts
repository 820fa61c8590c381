// decrypt-denied's rules, in the order they run: the denials and the two customer-key traps of
// incident 001, then the context; no-kms-denials and kms-access-healthy read the ones before them.
import cdkBootstrapCustomerKey from './cdk-bootstrap-customer-key.js';
import kmsAccessHealthy from './kms-access-healthy.js';
import kmsEventsTruncated from './kms-events-truncated.js';
import kmsKeyPolicyDenies from './kms-key-policy-denies.js';
import noKmsDenials from './no-kms-denials.js';
import ssmParamCustomerKey from './ssm-param-customer-key.js';
import stackFailedNotKms from './stack-failed-not-kms.js';
import targetNotAStack from './target-not-a-stack.js';

export const rules = [
  kmsKeyPolicyDenies,
  cdkBootstrapCustomerKey,
  ssmParamCustomerKey,
  targetNotAStack,
  stackFailedNotKms,
  noKmsDenials,
  kmsEventsTruncated,
  kmsAccessHealthy,
] as const;
