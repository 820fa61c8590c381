// Incident 000: x509 "certificate signed by unknown authority" in DOWNLOAD_SOURCE with a slim or
// custom image. The CodeBuild agent resolves the secret environment variables before the build
// container runs its buildspec, with the image's trust store: installing CA certificates in the
// buildspec comes too late. The fix is the image.
import { code, list, para, rich, strong } from '../../../markup.js';
import { rule } from '../evidence.js';
import { caInstalls, downloadSourceFailure, fullVariant, imageKind, imageOf, isX509, MANAGED_IMAGE, secretRefs } from '../facts.js';
import { failureEvidence, project, refText, streakText } from '../wording.js';

export default rule({
  id: 'ca-bundle-missing',
  severity: 'critical',
  summary: 'x509 “unknown authority” in DOWNLOAD_SOURCE with a slim or custom image: the image lacks the CA bundle the agent needs to resolve secrets, and buildspec installs come too late',
  needs: ['builds'],
  remediations: ['codebuild-image', 'codebuild-start-build'],
  apply(e) {
    const f = downloadSourceFailure(e);
    if (!f || !isX509(f.message)) return undefined;
    const image = imageOf(e, f.build);
    const kind = imageKind(image);
    if (kind === 'managed') return undefined;
    const name = project(e);
    const installs = caInstalls(e);
    const refs = secretRefs(e);
    const full = image ? fullVariant(image) : undefined;
    const current = e.project?.environment.image ?? image ?? '';
    const choices = [...new Set([full, MANAGED_IMAGE].filter((i): i is string => !!i && i !== current))];
    return {
      data: { project: name, build: f.build.id, image, imageKind: kind, installCommands: installs, suggested: choices },
      title: `${name}’s image ${image ?? '(unknown)'} lacks the CA certificates to verify the endpoint’s TLS certificate: secrets fail in DOWNLOAD_SOURCE`,
      detail: rich(
        para(
          `The latest build failed in DOWNLOAD_SOURCE with an x509 error${streakText(f)}: the TLS certificate of the service that holds the build’s secrets was not trusted. `,
          `The image is ${kind === 'slim' ? 'a slim/minimal one' : 'a custom one'}, which often ships only part of the CA bundle (Amazon Trust Services’ roots may be missing).`,
        ),
        para(
          strong('Why the buildspec cannot fix it: '),
          'the CodeBuild agent resolves SECRETS_MANAGER and PARAMETER_STORE environment variables in DOWNLOAD_SOURCE, before the build container runs the buildspec, trusting only the certificates already in the image. The install phase runs after that, so installing CA certificates there never reaches this step.',
        ),
        installs.length > 0 && para(strong('These install commands cannot help'), ' (they run after DOWNLOAD_SOURCE):'),
        installs.length > 0 && list(...installs.map((c) => code(c))),
        refs.length > 0 && para('Secrets resolved in DOWNLOAD_SOURCE:'),
        refs.length > 0 && list(...refs.map((r) => refText(r))),
        para(
          'Fix: use an image with a full CA bundle — ',
          ...(full ? [code(full), ' (the same image without -slim) or '] : []),
          'the managed ',
          code(MANAGED_IMAGE),
          ' (', code('aws codebuild list-curated-environment-images'), ' lists the current ones) — or bake the CA certificates into your own image. Then start a build to confirm.',
        ),
      ),
      evidence: [...failureEvidence(f), ...installs.map((c) => ({ source: 'buildspec', text: `install: ${c}` }))],
      remediations: [
        ...choices.map((to) => ({ id: 'codebuild-image', label: `Use ${to}`, params: { project: name, image: to, region: e.input.region, ...(current ? { from: current } : {}) } })),
        { id: 'codebuild-start-build', label: 'Start a build', params: { project: name, region: e.input.region } },
      ],
    };
  },
});
