import { getProject, setProjectImage } from '../aws/codebuild.js';
import { codebuildImageMeta } from './codebuild-image.meta.js';
import { defineAction } from './define.js';
import { pollUntil } from './types.js';

export const codebuildImage = defineAction(codebuildImageMeta, {
  async execute(aws, p) {
    const out = await setProjectImage(aws, p.project, p.image);
    return { done: `switched ${p.project} to ${p.image}`, ...(out.requestId ? { awsRequestId: out.requestId } : {}) };
  },
  async reconcile(aws, p) {
    // Setting the image is idempotent: the project either has it now or the write did not happen.
    const project = await getProject(aws, p.project);
    return project?.environment.image === p.image ? { happened: 'happened', done: `switched ${p.project} to ${p.image}` } : { happened: 'not-happened' };
  },
  async verify(aws, p, _facts, opts) {
    return pollUntil(async () => {
      const project = await getProject(aws, p.project);
      const now = project?.environment.image;
      const ok = now === p.image;
      return { done: ok, ok, detail: project ? `${p.project} builds with ${now ?? '(no image)'}` : `project ${p.project} not found` };
    }, opts);
  },
});
