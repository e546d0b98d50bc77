import type { HttpFetch } from '../../core/http.js';
import type { Artifact, Manifest } from '../../core/manifest.js';
import { resolveInRepo } from '../../files/safe-path.js';
import type { ReleaseContext } from '../../kind.js';
import { imageRef } from '../../oci/reference.js';
import { buildCache } from './build-cache.js';
import type { DockerConfig, ImageConfig } from './config.js';
import { createBuilder } from './builders/index.js';
import { buildArgs, imageLabels } from './labels.js';
import { builderContext, withBuilder } from './login.js';
import { registryClient } from './registry.js';
import { stageWheels } from './stage-wheels.js';
import { imageRefs, imageTags } from './tags.js';

/**
 * Every image of the release, each distinct build once: an image that shares another's build (the
 * same context, Dockerfile, args… pushed to a second registry) is that build tagged with its names.
 */
export async function prepareImages(
  config: DockerConfig,
  ctx: ReleaseContext,
  manifest: Manifest,
  fetchImpl?: HttpFetch,
): Promise<Artifact[]> {
  const built = new Map<string, string>();
  const artifacts: Artifact[] = [];
  for (const image of config.images) {
    const source = built.get(image.buildOf);
    const artifact = source
      ? await tagImage(image, source, ctx)
      : await prepareImage(image, ctx, manifest, fetchImpl);
    built.set(image.image.name, artifact.refs![0]!);
    artifacts.push(artifact);
  }
  return artifacts;
}

/** An image that shares an earlier image's build: its version and floating tags, set locally. */
async function tagImage(config: ImageConfig, source: string, ctx: ReleaseContext): Promise<Artifact> {
  const tags = imageTags(config, ctx);
  const refs = imageRefs(config.image, tags);
  const builder = createBuilder(config.builder, builderContext(config, ctx));
  ctx.logger.log('Tagging %s as %s (the same build, not built again)', source, refs.join(', '));
  for (const ref of refs) await builder.tag(source, ref, config.platforms.length > 0);
  return { kind: 'docker', type: 'image', name: config.image.name, refs };
}

/**
 * Stages this run's wheels and builds the image once as `<image>:<version tag>`. A plain image gets
 * its floating tags in that build; a multi-platform one is tagged afterwards (in the registry, at push,
 * for docker).
 */
export async function prepareImage(
  config: ImageConfig,
  ctx: ReleaseContext,
  manifest: Manifest,
  fetchImpl?: HttpFetch,
): Promise<Artifact> {
  const tags = imageTags(config, ctx);
  await stageWheels(config, ctx, manifest);
  const versionRef = imageRef(config.image, tags.version);
  const request = {
    ref: versionRef,
    contextDir: await resolveInRepo(ctx.root, config.context, `${config.option}.context`),
    dockerfile: await resolveInRepo(ctx.root, config.dockerfile, `${config.option}.dockerfile`),
    buildArgs: buildArgs(config, ctx),
    labels: await imageLabels(config, ctx),
    secrets: config.secrets,
    platforms: config.platforms,
    alsoTagged: tags.floating.map((tag) => imageRef(config.image, tag)),
    cache: config.cache
      ? await buildCache(config, ctx, () => registryClient(config, ctx, fetchImpl))
      : undefined,
  };
  const multiPlatform = config.platforms.length > 0;
  await withBuilder(config, ctx, async (builder) => {
    ctx.logger.log('Building %s with %s', versionRef, builder.name);
    await builder.build(request);
    if (!multiPlatform) return;
    for (const tag of tags.floating) await builder.tag(versionRef, imageRef(config.image, tag), true);
  });
  return { kind: 'docker', type: 'image', name: config.image.name, refs: imageRefs(config.image, tags) };
}
