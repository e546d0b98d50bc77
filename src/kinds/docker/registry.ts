import type { HttpFetch } from '../../core/http.js';
import { stackError } from './errors.js';
import type { StepContext } from '../../kind.js';
import {
  createOciClient,
  MEDIA_TYPES,
  OciError,
  type Credentials,
  type OciClient,
} from '../../oci/client.js';
import type { CredentialSource, ImageConfig } from './config.js';
import { existingLogin } from './existing-login.js';

export interface RemoteImage {
  /** Manifest digest of the tag (the image's, or the manifest list's). */
  digest: string;
  /** Config digest of each image (one per platform for a list), sorted. */
  configDigests: string[];
}

/** A registry client for the image's registry, with the given credentials or the user's login. */
export async function registryClient(
  config: ImageConfig,
  ctx: StepContext,
  fetchImpl?: HttpFetch,
): Promise<OciClient> {
  return clientWith(
    config,
    config.credentials ?? (await existingLogin(config.builder, config.image, ctx)),
    fetchImpl ?? ctx.http.request,
  );
}

function clientWith(config: ImageConfig, credentials: Credentials | undefined, fetch: HttpFetch): OciClient {
  return createOciClient({
    host: config.image.apiHost,
    scheme: config.insecureRegistry ? 'http' : 'https',
    credentials,
    fetch,
  });
}

const LISTS: readonly string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList];

/** What the registry holds under `tag`, read through the registry API; undefined when nothing. */
export async function remoteImage(
  client: OciClient,
  repository: string,
  tag: string,
): Promise<RemoteImage | undefined> {
  const top = await client.getManifest(repository, tag);
  if (!top) return undefined;
  if (!LISTS.includes(top.mediaType))
    return { digest: top.digest, configDigests: [configDigestOf(top.json)] };
  const entries =
    (top.json.manifests as Array<{ digest: string; platform?: { os?: string } }> | undefined) ?? [];
  // buildx adds attestation manifests with platform unknown/unknown; they are not images.
  const images = entries.filter((m) => m.platform?.os !== 'unknown');
  const configs = await Promise.all(
    images.map(async (m) => {
      const child = await client.getManifest(repository, m.digest);
      if (!child)
        throw new OciError(
          `${client.host} lists ${m.digest} in ${repository}:${tag} but does not serve it`,
          'http',
          404,
        );
      return configDigestOf(child.json);
    }),
  );
  return { digest: top.digest, configDigests: configs.sort() };
}

function configDigestOf(manifest: Record<string, unknown>): string {
  const config = manifest.config as { digest?: unknown } | undefined;
  return typeof config?.digest === 'string' ? config.digest : '';
}

/** Where the credentials came from, as the fix names it (never a value). */
export function credentialText(source: CredentialSource): string {
  if (source.from === 'env') return `\`${source.user}\` and \`${source.password}\``;
  if (source.from === 'github-token') return `GITHUB_TOKEN (sent as user \`${source.user}\`)`;
  return "the builder's existing login (no credentials are set for this image)";
}

// What the builder's CLI prints when the registry answers 403 (distribution's DENIED code, or the
// bare status).
const CLI_DENIED = /\bdenied\b|\b403\b/i;

/**
 * The registry error as this kind's coded error: refused credentials, or the registry's answer.
 * A 403 from GitHub's registry (the API's, or the builder's push) is EGHCRPERMISSION: the token is
 * good, the package's access settings or the workflow's permissions are not.
 */
export function registryError(error: unknown, config: ImageConfig): Error {
  const coded = error as { code?: string; details?: string; message?: string };
  const denied =
    (error instanceof OciError && error.kind === 'denied') ||
    (coded.code === 'ECOMMANDFAILED' && CLI_DENIED.test(coded.details ?? ''));
  if (config.githubRegistry && denied) {
    const user = config.credentials?.username ?? 'the existing login';
    const reason = error instanceof OciError ? error.message : 'the push was denied';
    return stackError('EGHCRPERMISSION', { image: config.image.name, user, reason });
  }
  if (error instanceof OciError && (error.kind === 'auth' || error.kind === 'denied')) {
    return stackError('EDOCKERAUTH', {
      registry: config.image.registry,
      reason: error.message,
      source: credentialText(config.credentialSource),
    });
  }
  if (error instanceof OciError)
    return stackError('EDOCKERREGISTRY', { registry: config.image.registry, reason: error.message });
  return error as Error;
}

/** verifyConditions: the credentials are accepted for the repository (read-only, also in dry-run). */
export async function checkRegistryAuth(
  config: ImageConfig,
  ctx: StepContext,
  fetchImpl?: HttpFetch,
): Promise<Error[]> {
  const credentials = config.credentials ?? (await existingLogin(config.builder, config.image, ctx));
  try {
    await clientWith(config, credentials, fetchImpl ?? ctx.http.request).checkAuth(config.image.repository, [
      'pull',
      'push',
    ]);
    return [];
  } catch (error) {
    const coded = registryError(error, config);
    // No credentials anywhere and a registry that wants some: nothing to check, the push will tell.
    if (!credentials && (coded as { code?: string }).code === 'EDOCKERAUTH') {
      ctx.logger.warn(
        'No credentials for %s (%s: none set, no login found): the push may be refused',
        config.image.registry,
        config.option,
      );
      return [];
    }
    return [coded];
  }
}
