import type { ReleaseContext, RenderingNeed } from '../../kind.js';
import { imageRef, type ImageName } from '../../oci/reference.js';
import {
  fillTemplate,
  isImageTag,
  notLatestBecause,
  renderedValue,
  templateRenderings,
} from '../../version.js';
import type { DockerConfig, ImageConfig } from './config.js';

export interface ImageTags {
  /** The immutable tag: the release version as an image tag. */
  version: string;
  /** Moving tags (`latest`, `1`, `1.4`, or the channel), pushed after the version tag. */
  floating: string[];
  /** Why the floating tags were left out, for the plan; undefined when they are set. */
  skipped: string | undefined;
}

/**
 * Which tags a release gets. The floating tags (`latest`, `{major}`…) follow the "latest" rule of the
 * version model (notLatestBecause), the same rule that decides GitHub's Latest release: only the
 * highest version released on the default channel. A release on another channel (a prerelease such
 * as `beta`, a maintenance branch's `1.2.x`) gets that channel's name as its tag when `channelTags`
 * is on.
 */
export function imageTags(config: ImageConfig, ctx: ReleaseContext): ImageTags {
  const { versions, version, channel } = ctx.release;
  const tags: ImageTags = { version: renderedValue(versions.imageTag), floating: [], skipped: undefined };
  tags.skipped = notLatestBecause({ version, branch: ctx.branch.kind, channel }, ctx.defaultChannelVersions);
  if (tags.skipped) {
    const name = channel ?? ctx.branch.prerelease;
    if (config.channelTags && name && isImageTag(name)) tags.floating.push(name);
    return tags;
  }
  const filled = config.floatingTags.map((t, i) =>
    fillTemplate(t, versions, {}, `${config.option}.floatingTags[${i}]`),
  );
  tags.floating = [...new Set(filled)].filter((t) => t !== tags.version);
  return tags;
}

/** Every reference of the release, the version tag first. */
export function imageRefs(image: ImageName, tags: ImageTags): string[] {
  return [tags.version, ...tags.floating].map((tag) => imageRef(image, tag));
}

/** The renderings the images use: their version tag, and whatever their templates ask for. */
export function dockerRenderings(config: DockerConfig): RenderingNeed[] {
  return config.images.flatMap((image) => {
    const at = image.option;
    const templates: Array<[string, string]> = [
      ...image.floatingTags.map((t, i): [string, string] => [t, `${at}.floatingTags[${i}]`]),
      ...Object.entries(image.labels).map(([k, v]): [string, string] => [v, `${at}.labels.${k}`]),
      ...Object.entries(image.buildArgs).map(([k, v]): [string, string] => [v, `${at}.buildArgs.${k}`]),
    ];
    return [
      { rendering: 'imageTag' as const, option: `${at}.image` },
      ...templates.flatMap(([template, option]) =>
        templateRenderings(template).map((rendering) => ({ rendering, option })),
      ),
    ];
  });
}
