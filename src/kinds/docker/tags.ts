import type { ReleaseContext, RenderingNeed } from '../../kind.js';
import { imageRef, type ImageName } from '../../oci/reference.js';
import {
  fillTemplate,
  isImageTag,
  notLatestBecause,
  renderedValue,
  templateRenderings,
} from '../../version.js';
import type { DockerConfig } from './config.js';

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
export function imageTags(config: DockerConfig, ctx: ReleaseContext): ImageTags {
  const { versions, version, channel } = ctx.release;
  const tags: ImageTags = { version: renderedValue(versions.imageTag), floating: [], skipped: undefined };
  tags.skipped = notLatestBecause({ version, branch: ctx.branch.kind, channel }, ctx.defaultChannelVersions);
  if (tags.skipped) {
    const name = channel ?? ctx.branch.prerelease;
    if (config.channelTags && name && isImageTag(name)) tags.floating.push(name);
    return tags;
  }
  const filled = config.floatingTags.map((t, i) =>
    fillTemplate(t, versions, {}, `docker.floatingTags[${i}]`),
  );
  tags.floating = [...new Set(filled)].filter((t) => t !== tags.version);
  return tags;
}

/** Every reference of the release, the version tag first. */
export function imageRefs(image: ImageName, tags: ImageTags): string[] {
  return [tags.version, ...tags.floating].map((tag) => imageRef(image, tag));
}

/** The renderings the image uses: its version tag, and whatever its templates ask for. */
export function dockerRenderings(config: DockerConfig): RenderingNeed[] {
  const templates: Array<[string, string]> = [
    ...config.floatingTags.map((t, i): [string, string] => [t, `docker.floatingTags[${i}]`]),
    ...Object.entries(config.labels).map(([k, v]): [string, string] => [v, `docker.labels.${k}`]),
    ...Object.entries(config.buildArgs).map(([k, v]): [string, string] => [v, `docker.buildArgs.${k}`]),
  ];
  return [
    { rendering: 'imageTag', option: 'docker.image' },
    ...templates.flatMap(([template, option]) =>
      templateRenderings(template).map((rendering) => ({ rendering, option })),
    ),
  ];
}
