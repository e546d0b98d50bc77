import type { HttpFetch } from '../../core/http.js';
import { noPublish, type PublishResult, type ReleaseContext } from '../../kind.js';
import { imageRef } from '../../oci/reference.js';
import type { DockerConfig, ImageConfig } from './config.js';
import { stackError } from './errors.js';
import { eachImage, imageRelease, moveFloatingTags } from './publish.js';
import { registryClient, registryError, remoteImage } from './registry.js';
import { imageTags } from './tags.js';

/** addChannel for every image, in order. */
export async function addImagesChannel(
  config: DockerConfig,
  ctx: ReleaseContext,
  fetchImpl?: HttpFetch,
): Promise<PublishResult> {
  return eachImage(config, (image) => addImageChannel(image, ctx, fetchImpl));
}

/**
 * addChannel: a release already out on one channel reaches another (a version released on `next`
 * is merged into `main`). Nothing is built or pushed: the tags the new channel gets by the tag rules
 * (`latest`, `{major}`… on the default channel; the channel's name elsewhere) are set in the
 * registry to the manifest the version tag already holds.
 */
export async function addImageChannel(
  config: ImageConfig,
  ctx: ReleaseContext,
  fetchImpl?: HttpFetch,
): Promise<PublishResult> {
  const tags = imageTags(config, ctx);
  const versionRef = imageRef(config.image, tags.version);
  if (!config.push) {
    ctx.logger.log('Not moving tags to %s (%s.push is false)', versionRef, config.option);
    return noPublish;
  }
  if (tags.floating.length === 0)
    ctx.logger.log('No tag moves to %s on this channel: %s', versionRef, tags.skipped ?? 'none configured');
  try {
    const client = await registryClient(config, ctx, fetchImpl);
    const version = await remoteImage(client, config.image.repository, tags.version);
    if (!version)
      throw stackError('EDOCKERVERSIONMISSING', {
        ref: versionRef,
        channel: ctx.release.channel ?? 'default',
      });
    const outcomes = await moveFloatingTags(client, config, tags.floating, version, ctx);
    const moved = outcomes.filter((o) => o.status === 'published').map((o) => o.what);
    if (moved.length) ctx.logger.log('Moved %s to %s (%s)', moved.join(', '), versionRef, version.digest);
    return { outcomes, artifacts: [], release: imageRelease(config, tags.version) };
  } catch (error) {
    throw registryError(error, config);
  }
}
