// The latest build failed, but not in DOWNLOAD_SOURCE: say which phase and its message, and that
// this playbook is about the secrets/TLS path (DOWNLOAD_SOURCE), so it stops there.
import { para, pre, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { buildName, latestFailure } from '../facts.js';
import { failureEvidence, project, streakText } from '../wording.js';

export default rule({
  id: 'build-failed-elsewhere',
  severity: 'warning',
  summary: 'The latest build failed in a phase other than DOWNLOAD_SOURCE (which phase, its message); outside this playbook’s secrets/TLS path',
  needs: ['builds'],
  remediations: [],
  apply(e) {
    const f = latestFailure(e);
    if (!f || f.phase.type === 'DOWNLOAD_SOURCE') return undefined;
    const name = project(e);
    return {
      data: { project: name, build: f.build.id, phase: f.phase.type, status: f.build.status },
      title: `${name}’s ${buildName(f.build)} failed in ${f.phase.type}, not while resolving secrets`,
      detail: rich(
        para(`The first phase that did not succeed is ${f.phase.type} (${f.phase.status ?? f.build.status})${streakText(f)}.`),
        f.message ? pre(f.message) : para('CodeBuild gave no message for it; the build’s log (CloudWatch Logs or S3) has the details.'),
        para(
          'This playbook diagnoses DOWNLOAD_SOURCE: secret environment variables, their TLS trust and network path. ',
          f.phase.type === 'PROVISIONING'
            ? 'A PROVISIONING failure is about the image, the VPC (subnets, ENIs) or the service role.'
            : 'A failure after DOWNLOAD_SOURCE comes from the buildspec’s commands: read the build’s log.',
        ),
      ),
      evidence: failureEvidence(f),
    };
  },
});
