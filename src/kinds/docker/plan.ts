import type { PlanLine, ReleaseContext } from '../../kind.js';
import { imageRef } from '../../oci/reference.js';
import { planCache } from './build-cache.js';
import type { DockerConfig, ImageConfig } from './config.js';
import { imageRefs, imageTags } from './tags.js';

/** Every image's part of the release plan, in the order the images are given. */
export function planImages(config: DockerConfig, ctx: ReleaseContext): PlanLine[] {
  return config.images.flatMap((image) => planImage(image, ctx));
}

/** The image part of the release plan: what is staged and built, every tag, every push. */
export function planImage(config: ImageConfig, ctx: ReleaseContext): PlanLine[] {
  const tags = imageTags(config, ctx);
  const versionRef = imageRef(config.image, tags.version);
  const platforms = config.platforms.length ? `, platforms ${config.platforms.join(', ')}` : '';
  const secrets = config.secrets.length
    ? `, secrets ${config.secrets.map((s) => `${s.id} from $${s.env}`).join(', ')}`
    : '';
  const lines: PlanLine[] = [];
  const login = pushLogin(config);
  if (config.buildOf !== config.image.name) {
    lines.push({
      action: 'build',
      text: `image ${versionRef}: the build of ${config.buildOf} (same context and options), tagged, not built again`,
    });
  } else {
    if (config.wheelsDir)
      lines.push({
        action: 'build',
        text: `stage this release's wheel(s) into ${config.wheelsDir}/ (older *.whl removed)`,
      });
    lines.push({
      action: 'build',
      text: `image ${versionRef} from ${config.context}/ (${config.dockerfile}, ${config.builder}${platforms}${secrets})`,
    });
    if (config.cache) lines.push(planCache(config, ctx));
  }
  for (const tag of tags.floating)
    lines.push({ action: 'tag', text: `image ${imageRef(config.image, tag)}` });
  if (tags.skipped && config.floatingTags.length) {
    lines.push({ action: 'tag', text: `no ${config.floatingTags.join(', ')} tag(s): ${tags.skipped}` });
  }
  if (!config.push)
    lines.push({ action: 'publish', text: `nothing: ${config.option}.push is false (image stays local)` });
  else
    for (const ref of imageRefs(config.image, tags))
      lines.push({ action: 'publish', text: `push ${ref} (${login})` });
  return lines;
}

/** Which login a push uses, as the plan names it (variable names, never values). */
function pushLogin(config: ImageConfig): string {
  const source = config.credentialSource;
  if (source.from === 'env') return `login $${source.user}/$${source.password}`;
  if (source.from === 'github-token') return `login $GITHUB_TOKEN as ${source.user}`;
  return 'existing login';
}
