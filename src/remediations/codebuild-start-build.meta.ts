// Start a build of a CodeBuild project with its current settings: after switching its image
// (or opening its endpoint's security group), the build's DOWNLOAD_SOURCE shows whether the
// secrets now resolve.
import * as z from 'zod';
import { defineActionMeta } from './define.js';
import { shellQuote } from './shell.js';

export const CodebuildStartBuildParams = z.object({
  project: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/),
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
});
export type CodebuildStartBuildParams = z.infer<typeof CodebuildStartBuildParams>;

export const codebuildStartBuildMeta = defineActionMeta({
  id: 'codebuild-start-build',
  params: CodebuildStartBuildParams,
  dangerous: false,
  label: () => 'Start a build',
  doing: (p) => `starting a build of ${p.project}`,
  plan: (p) => ({
    resource: `CodeBuild project ${p.project} (${p.region})`,
    apiCall: `codebuild:StartBuild { projectName: "${p.project}" }`,
    effect: 'One build runs with the project’s current settings and source version, as a push would start it (it may deploy, if the buildspec does).',
    verification: 'BatchGetBuilds on the new build until DOWNLOAD_SOURCE has a status: ✅ when it succeeded (the secrets resolved), ❌ with its message otherwise.',
    undo: `Stop it: aws codebuild stop-build --id <the build id posted in the thread>.`,
  }),
  iamActions: { write: ['codebuild:StartBuild'], read: ['codebuild:BatchGetBuilds'] },
  cli: (p) => [
    `aws codebuild start-build --region ${shellQuote(p.region)} --project-name ${shellQuote(p.project)} --query 'build.id' --output text`,
    `aws codebuild batch-get-builds --region ${shellQuote(p.region)} --ids <build id> --query 'builds[0].phases[?phaseType==\`DOWNLOAD_SOURCE\`]'`,
  ],
});
