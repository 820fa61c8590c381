// deploy-failed's rules, in the order they run (stack-not-failed reads the ones before it).
import deployRootCause from './deploy-root-cause.js';
import leftoverResources from './leftover-resources.js';
import stackEventsTruncated from './stack-events-truncated.js';
import stackNotFailed from './stack-not-failed.js';
import stackNotFound from './stack-not-found.js';

export const rules = [deployRootCause, leftoverResources, stackNotFound, stackNotFailed, stackEventsTruncated] as const;
