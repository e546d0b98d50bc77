import type { PlanLine, ReleaseContext } from '../../kind.js';
import { imageRef } from '../../oci/reference.js';
import type { DockerConfig } from './config.js';
import { imageRefs, imageTags } from './tags.js';

/** The image part of the release plan: what is staged and built, every tag, every push. */
export function planImage(config: DockerConfig, ctx: ReleaseContext): PlanLine[] {
  const tags = imageTags(config, ctx);
  const versionRef = imageRef(config.image, tags.version);
  const platforms = config.platforms.length ? `, platforms ${config.platforms.join(', ')}` : '';
  const secrets = config.secrets.length
    ? `, secrets ${config.secrets.map((s) => `${s.id} from $${s.env}`).join(', ')}`
    : '';
  const lines: PlanLine[] = [];
  if (config.wheelsDir)
    lines.push({
      action: 'build',
      text: `stage this release's wheel(s) into ${config.wheelsDir}/ (older *.whl removed)`,
    });
  lines.push({
    action: 'build',
    text: `image ${versionRef} from ${config.context}/ (${config.dockerfile}, ${config.builder}${platforms}${secrets})`,
  });
  for (const tag of tags.floating)
    lines.push({ action: 'tag', text: `image ${imageRef(config.image, tag)}` });
  if (tags.skipped && config.floatingTags.length) {
    lines.push({ action: 'tag', text: `no ${config.floatingTags.join(', ')} tag(s): ${tags.skipped}` });
  }
  if (!config.push)
    lines.push({ action: 'publish', text: `nothing: docker.push is false (image stays local)` });
  else
    for (const ref of imageRefs(config.image, tags)) lines.push({ action: 'publish', text: `push ${ref}` });
  return lines;
}
