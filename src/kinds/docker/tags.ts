import semver from 'semver';
import type { ReleaseContext, RenderingNeed } from '../../kind.js';
import { imageRef, type ImageName } from '../../oci/reference.js';
import { fillTemplate, isImageTag, renderedValue, templateRenderings } from '../../version.js';
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
 * Which tags a release gets. Floating tags follow the newest release on the default channel only:
 * never a prerelease, never a release on another channel (a maintenance branch has its own), never a
 * release older than one already out (a late patch of an old line must not move `latest`). A release
 * on another channel gets that channel's name as its tag (`beta`, `next`) when `channelTags` is on.
 */
export function imageTags(config: DockerConfig, ctx: ReleaseContext): ImageTags {
  const { versions, version, channel } = ctx.release;
  const tags: ImageTags = { version: renderedValue(versions.imageTag), floating: [], skipped: undefined };
  const onOtherChannel = channel !== undefined || ctx.branch.kind === 'prerelease';
  if (onOtherChannel || versions.prerelease) {
    const name = channel ?? ctx.branch.prerelease;
    if (config.channelTags && name && isImageTag(name)) tags.floating.push(name);
    tags.skipped = versions.prerelease ? 'a prerelease' : `a release on the channel \`${name ?? '?'}\``;
    return tags;
  }
  const newer = newerRelease(version, ctx.releasedVersions);
  if (newer) {
    tags.skipped = `${newer} is newer`;
    return tags;
  }
  const filled = config.floatingTags.map((t, i) =>
    fillTemplate(t, versions, {}, `docker.floatingTags[${i}]`),
  );
  tags.floating = [...new Set(filled)].filter((t) => t !== tags.version);
  return tags;
}

/** The newest non-prerelease version above `version`, if one has been released. */
function newerRelease(version: string, released: readonly string[]): string | undefined {
  const newer = released.filter((v) => semver.valid(v) && !semver.prerelease(v) && semver.gt(v, version));
  return newer.sort(semver.rcompare)[0];
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
