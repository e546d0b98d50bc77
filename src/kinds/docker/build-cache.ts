import type { PlanLine, ReleaseContext } from '../../kind.js';
import type { OciClient } from '../../oci/client.js';
import { imageRef, type ImageName } from '../../oci/reference.js';
import { renderRelease } from '../../version.js';
import type { BuildCache, BuilderName } from './builders/builder.js';

/** What `docker.cache` looks at: one image's name, builder and platforms. */
export interface CacheTarget {
  image: ImageName;
  builder: BuilderName;
  platforms: readonly string[];
}

/** Where a build takes its cache from, or why it has none. */
type CacheSource =
  | { kind: 'image'; ref: string; tag: string }
  | { kind: 'repository'; repository: string }
  | { kind: 'none'; why: string };

/**
 * docker reads the cache of one image: the version tag of the last release on this branch
 * (semantic-release's `lastRelease`, rendered by the version model), not a floating tag. The version
 * tag is the one tag every pushed release has whatever `floatingTags` and `channelTags` say, and it
 * never moves; `latest` exists only on the default channel, may be switched off, and may be another
 * branch's image. The last release was built from an ancestor of this commit, so it is the image most
 * likely to share layers with this build.
 *
 * podman and buildah look their cache images up in a repository, tagged with a key of their own
 * (`--cache-from`/`--cache-to` take a repository): the image's own, the one the push credentials
 * surely reach. Their multi-platform builds run without cache (see the containers builder).
 */
function cacheSource(target: CacheTarget, ctx: ReleaseContext): CacheSource {
  if (target.builder !== 'docker') {
    if (target.platforms.length)
      return { kind: 'none', why: `${target.builder} builds several platforms without cache` };
    return { kind: 'repository', repository: target.image.name };
  }
  if (!ctx.lastRelease) return { kind: 'none', why: 'no earlier release on this branch' };
  const rendered = renderRelease(ctx.lastRelease.version).imageTag;
  if (!rendered.ok)
    return { kind: 'none', why: `the last release ${ctx.lastRelease.version} has no image tag` };
  return { kind: 'image', ref: imageRef(target.image, rendered.value), tag: rendered.value };
}

/** The plan's line for `docker.cache` (a dry run pulls nothing and asks no registry). */
export function planCache(target: CacheTarget, ctx: ReleaseContext): PlanLine {
  const source = cacheSource(target, ctx);
  const text =
    source.kind === 'image'
      ? `cache from ${source.ref} (the last release's image; built without it if the registry does not hold it)`
      : source.kind === 'repository'
        ? `cache from and to ${source.repository} (${target.builder}'s cache images)`
        : `no build cache: ${source.why}`;
  return { action: 'build', text };
}

/**
 * What the build gets for `docker.cache`. Whether the registry holds the image is asked through the
 * registry API (read-only, with the push credentials), so a missing image is one log line and no
 * builder has to tell "not found" from its other failures. The cache only saves time: a registry that
 * cannot answer leaves the build without it, and the push reports the registry's problem.
 */
export async function buildCache(
  target: CacheTarget,
  ctx: ReleaseContext,
  registry: () => Promise<OciClient>,
): Promise<BuildCache> {
  const source = cacheSource(target, ctx);
  const repository = target.image.name;
  const without = (why: string): BuildCache => {
    ctx.logger.log('Building without cache: %s', ctx.redactor.redact(why));
    return { from: undefined, repository };
  };
  if (source.kind === 'none') return without(source.why);
  if (source.kind === 'repository') {
    ctx.logger.log('Build cache: %s (%s cache images)', repository, target.builder);
    return { from: undefined, repository };
  }
  try {
    const found = await (await registry()).headManifest(target.image.repository, source.tag);
    if (!found) return without(`${source.ref} is not in the registry`);
  } catch (error) {
    return without(`the registry did not say whether it holds ${source.ref} (${(error as Error).message})`);
  }
  ctx.logger.log('Build cache: %s', source.ref);
  return { from: source.ref, repository };
}
