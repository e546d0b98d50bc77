import { createHttpClient, type HttpFetch } from '../core/http.js';
import type { Artifact } from '../core/manifest.js';
import type { ArtifactKind, RegistryLocation, StepContext } from '../kind.js';
import { createOciClient, type Credentials } from '../oci/client.js';
import { isLoopbackHost, parseImageName } from '../oci/reference.js';

export type { RegistryLocation } from '../kind.js';

/** A kind of the run with its options, as the plugin resolved them. */
export type ActiveConfig = { kind: ArtifactKind<unknown>; config: unknown };

/**
 * Where a pushed artifact lives and a client to reach it with: the same registry, scheme and
 * credentials the kind that pushed it used, found by artifact type through the kind that declares
 * the type (its `registryOf`). An artifact no active kind places is reached through its reference
 * and the registry credentials of the environment.
 */
export function registryFor(
  active: readonly ActiveConfig[],
  ctx: StepContext,
  fetchImpl?: HttpFetch,
): (artifact: Artifact) => Promise<RegistryLocation | undefined> {
  return async (artifact) => {
    const maker = active.find(({ kind }) => kind.artifacts.some((a) => a.type === artifact.type));
    const placed = await maker?.kind.registryOf?.(maker.config, ctx, artifact);
    if (placed) return placed;
    const ref = artifact.refs?.[0];
    return ref ? registryOfRef(ref, ctx.env, fetchImpl ?? ctx.http.request) : undefined;
  };
}

/** Credentials for a registry from the environment: HELM_REGISTRY_* for charts, else DOCKER_REGISTRY_*. */
function envCredentials(env: StepContext['env'], chart: boolean): Credentials | undefined {
  const pairs = [
    ...(chart ? ([['HELM_REGISTRY_USER', 'HELM_REGISTRY_PASSWORD']] as const) : []),
    ['DOCKER_REGISTRY_USER', 'DOCKER_REGISTRY_PASSWORD'] as const,
  ];
  for (const [user, password] of pairs)
    if (env[user] && env[password]) return { username: env[user]!, password: env[password]! };
  return undefined;
}

/**
 * A reference as written (`host/repo:tag`, `host/repo@sha256:…`, `oci://host/repo:tag`) → where it
 * lives and the tag or digest it names. Plain HTTP for loopback registries, as Docker does.
 */
export function parseReference(
  ref: string,
): { name: string; host: string; repository: string; tag?: string; digest?: string } | undefined {
  const chart = ref.startsWith('oci://');
  const rest = chart ? ref.slice('oci://'.length) : ref;
  const at = rest.indexOf('@');
  const digest = at >= 0 ? rest.slice(at + 1) : undefined;
  const beforeDigest = at >= 0 ? rest.slice(0, at) : rest;
  const colon = beforeDigest.lastIndexOf(':');
  const tag = colon > beforeDigest.lastIndexOf('/') ? beforeDigest.slice(colon + 1) : undefined;
  const name = tag === undefined ? beforeDigest : beforeDigest.slice(0, colon);
  const parsed = parseImageName(name);
  if (!parsed.ok) return undefined;
  return {
    name: `${parsed.image.registry}/${parsed.image.repository}`,
    host: parsed.image.apiHost,
    repository: parsed.image.repository,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

export function registryOfRef(
  ref: string,
  env: StepContext['env'],
  fetchImpl?: HttpFetch,
): RegistryLocation | undefined {
  const parsed = parseReference(ref);
  if (!parsed) return undefined;
  const client = createOciClient({
    host: parsed.host,
    scheme: isLoopbackHost(parsed.host) ? 'http' : 'https',
    credentials: envCredentials(env, ref.startsWith('oci://')),
    // Outside a plugin step (the verify command) a client of its own, proxied as `env` says.
    fetch: fetchImpl ?? createHttpClient({ env }).request,
  });
  return { client, repository: parsed.repository, name: parsed.name };
}
