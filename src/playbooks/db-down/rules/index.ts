// db-down's rules, in the order they run (credentials-healthy reads the ones before it).
import cloudtrailDelay from './cloudtrail-delay.js';
import credentialsHealthy from './credentials-healthy.js';
import dbNotFound from './db-not-found.js';
import dbUnavailable from './db-unavailable.js';
import noConsumers from './no-consumers.js';
import passwordChangedConsumersUnknown from './password-changed-consumers-unknown.js';
import rotationFailed from './rotation-failed.js';
import rotationHistoryTruncated from './rotation-history-truncated.js';
import secretNotManaged from './secret-not-managed.js';
import shortRotationInterval from './short-rotation-interval.js';
import staleCredentials from './stale-credentials.js';

export const rules = [
  dbNotFound,
  dbUnavailable,
  rotationFailed,
  staleCredentials,
  shortRotationInterval,
  passwordChangedConsumersUnknown,
  secretNotManaged,
  noConsumers,
  cloudtrailDelay,
  rotationHistoryTruncated,
  credentialsHealthy,
] as const;
