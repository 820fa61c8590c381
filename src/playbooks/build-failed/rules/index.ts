// build-failed's rules, in the order they run: incident 000's cause first (the image's CA
// bundle), the endpoint's security group (its second fix), other secret failures, a failure
// elsewhere, and build-healthy last (it reads the ones before it).
import buildFailedElsewhere from './build-failed-elsewhere.js';
import buildHealthy from './build-healthy.js';
import caBundleMissing from './ca-bundle-missing.js';
import endpointSgBlocksBuild from './endpoint-sg-blocks-build.js';
import secretEnvUnresolvable from './secret-env-unresolvable.js';

export const rules = [caBundleMissing, endpointSgBlocksBuild, secretEnvUnresolvable, buildFailedElsewhere, buildHealthy] as const;
