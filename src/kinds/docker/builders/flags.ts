import type { BuildCache, BuildRequest } from './builder.js';

/** Flags every builder's build verb shares (docker build, podman build, buildah bud). */
export function buildFlags(request: BuildRequest): string[] {
  const flags = ['--file', request.dockerfile, '--tag', request.ref];
  if (request.platforms.length === 0) for (const ref of request.alsoTagged ?? []) flags.push('--tag', ref);
  for (const [name, value] of Object.entries(request.buildArgs))
    flags.push('--build-arg', `${name}=${value}`);
  for (const [name, value] of Object.entries(request.labels)) flags.push('--label', `${name}=${value}`);
  // Only the variable's name goes into argv; the builder reads the value from its environment.
  for (const secret of request.secrets) flags.push('--secret', `id=${secret.id},env=${secret.env}`);
  return flags;
}

export const withPrefix = (id: string): string => (id.startsWith('sha256:') ? id : `sha256:${id}`);

/**
 * BuildKit's inline cache: `--cache-from` reads the cache metadata of an image in the registry, and
 * `BUILDKIT_INLINE_CACHE=1` writes this build's into the image it makes, for the next release (an
 * image built without it cannot serve as BuildKit's cache).
 */
export function inlineCacheFlags(cache: BuildCache | undefined): string[] {
  if (!cache) return [];
  const from = cache.from ? ['--cache-from', cache.from] : [];
  return [...from, '--build-arg', 'BUILDKIT_INLINE_CACHE=1'];
}

/**
 * podman's and buildah's registry cache: each step's result is pushed to `repository` under a key
 * of the step (`--cache-to`) and looked up there (`--cache-from`); both work only with `--layers`,
 * which buildah leaves off by default.
 */
export function layerCacheFlags(cache: BuildCache | undefined, tls: readonly string[]): string[] {
  if (!cache) return [];
  return ['--layers', '--cache-from', cache.repository, '--cache-to', cache.repository, ...tls];
}
