// Switch a CodeBuild project's image (incident 000: from a slim image without the full CA
// bundle to its full variant or the managed standard image). The confirmation shows the image
// before → after and offers the other choice.
import * as z from 'zod';
import { fullVariant, isCuratedImage, MANAGED_IMAGE } from '../aws/codebuild-images.js';
import { defineActionMeta } from './define.js';
import { shellQuote } from './shell.js';

const image = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,254}$/);

export const CodebuildImageParams = z.object({
  project: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/),
  /** the image to switch to */
  image,
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
  /** the image now, for the plan's before → after and its undo */
  from: image.optional(),
});
export type CodebuildImageParams = z.infer<typeof CodebuildImageParams>;

export const codebuildImageMeta = defineActionMeta({
  id: 'codebuild-image',
  params: CodebuildImageParams,
  dangerous: false,
  label: (p) => `Use ${p.image}`,
  doing: (p) => `switching ${p.project} to ${p.image}`,
  choice: (p) => {
    const options = [...new Set([p.image, ...(p.from ? [fullVariant(p.from)] : []), MANAGED_IMAGE].filter((i): i is string => !!i && i !== p.from))];
    return { key: 'image', label: 'Build image', options: options.map((i) => ({ label: i, value: i })), initial: p.image };
  },
  plan: (p) => ({
    resource: `CodeBuild project ${p.project} (${p.region})`,
    apiCall: `codebuild:UpdateProject { name: "${p.project}", environment: { …the current environment, image: "${p.image}"${isCuratedImage(p.image) ? ', imagePullCredentialsType: "CODEBUILD"' : ''} } }`,
    effect: `Image: ${p.from ?? '(the current one)'} → ${p.image}. Every other environment setting (type, compute, variables) is kept. Running builds are not affected; the next build uses the new image.`,
    verification: `BatchGetProjects shows environment.image = ${p.image}. Then “Start a build” shows whether DOWNLOAD_SOURCE passes.`,
    undo: p.from ? `Switch back to ${p.from} the same way.` : 'Switch back to the previous image the same way.',
  }),
  iamActions: { write: ['codebuild:UpdateProject'], read: ['codebuild:BatchGetProjects'] },
  cli: (p) => [
    `aws codebuild batch-get-projects --region ${shellQuote(p.region)} --names ${shellQuote(p.project)} --query 'projects[0].environment' --output json ` +
      `| jq --arg image ${shellQuote(p.image)} '.image = $image${isCuratedImage(p.image) ? ' | .imagePullCredentialsType = "CODEBUILD"' : ''}' > environment.json`,
    `aws codebuild update-project --region ${shellQuote(p.region)} --name ${shellQuote(p.project)} --environment file://environment.json`,
    `aws codebuild batch-get-projects --region ${shellQuote(p.region)} --names ${shellQuote(p.project)} --query 'projects[0].environment.image'`,
  ],
});
