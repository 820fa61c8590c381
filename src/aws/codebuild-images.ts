// Build images whybot suggests, without the CodeBuild client (the Slack function's confirm
// modal needs them too): the managed standard image and the full variant of a slim one.

/** The managed image whybot suggests (`aws codebuild list-curated-environment-images` lists the current ones). */
export const MANAGED_IMAGE = 'aws/codebuild/standard:7.0';

/** A CodeBuild curated image: it must be pulled with CODEBUILD credentials. */
export const isCuratedImage = (image: string) => image.startsWith('aws/codebuild/');

/** The same image without its slim variant (node:24.13.0-trixie-slim → node:24.13.0-trixie), when that is a tag. */
export function fullVariant(image: string): string | undefined {
  if (image.endsWith(':slim')) return `${image.slice(0, -':slim'.length)}:latest`;
  const m = /^(.+?)-slim$/.exec(image);
  return m ? m[1] : undefined;
}
