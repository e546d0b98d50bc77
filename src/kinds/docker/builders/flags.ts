import type { BuildRequest } from './builder.js';

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
