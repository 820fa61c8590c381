// rotation-failed's rules, in the order they run: incident 002's symptoms first, the
// specific login causes before the generic one (cannot-login-credentials steps aside for
// them), rotation-healthy last (it reads the ones before it).
import cannotLoginCredentials from './cannot-login-credentials.js';
import cannotLoginNetwork from './cannot-login-network.js';
import endpointUnreachable from './endpoint-unreachable.js';
import functionMissing from './function-missing.js';
import managedRotation from './managed-rotation.js';
import notInvoked from './not-invoked.js';
import rotationHealthy from './rotation-healthy.js';
import scramUnsupported from './scram-unsupported.js';
import secretJsonMissingKeys from './secret-json-missing-keys.js';
import secretNotFound from './secret-not-found.js';
import stalledAfterCreate from './stalled-after-create.js';
import tlsRequiredOldFunction from './tls-required-old-function.js';

export const rules = [
  secretNotFound,
  managedRotation,
  functionMissing,
  endpointUnreachable,
  stalledAfterCreate,
  secretJsonMissingKeys,
  scramUnsupported,
  tlsRequiredOldFunction,
  cannotLoginNetwork,
  cannotLoginCredentials,
  notInvoked,
  rotationHealthy,
] as const;
