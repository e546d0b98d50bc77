import type { HttpFetch } from '../../core/http.js';
import { stackError } from './errors.js';
import type { Artifact } from '../../core/manifest.js';
import type { ReleaseContext } from '../../kind.js';
import type { OciClient } from '../../oci/client.js';
import { imageRef } from '../../oci/reference.js';
import type { Builder } from './builders/builder.js';
import type { DockerConfig } from './config.js';
import { withBuilder } from './login.js';
import { registryClient, registryError, remoteImage, type RemoteImage } from './registry.js';
import { imageRefs, imageTags } from './tags.js';

const sameConfigs = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Pushes the version tag, then the floating tags, and records the digest the registry serves.
 * The image is identified by its config digest(s): that is what the builder knows locally (docker's
 * image ID) and it survives the push unchanged, unlike a manifest digest, which depends on how the
 * layers were compressed. A version tag already holding the same configs is not pushed again; one
 * holding another image is EIMAGEEXISTS: a released version is never overwritten.
 */
export async function publishImage(
  config: DockerConfig,
  ctx: ReleaseContext,
  fetchImpl?: HttpFetch,
): Promise<Artifact[]> {
  const tags = imageTags(config, ctx);
  const refs = imageRefs(config.image, tags);
  if (!config.push) {
    ctx.logger.log('Not pushing %s (docker.push is false)', refs.join(', '));
    return [];
  }
  const multi = config.platforms.length > 0;
  const repository = config.image.repository;
  const pushedRefs: string[] = [];
  // Ask the registry (read-only, retried) before logging in: a registry that is down stops the run
  // here as EDOCKERREGISTRY with nothing pushed, instead of as a failed login or push.
  const client = await registryClient(config, ctx, fetchImpl);
  const existing = await remoteImage(client, repository, tags.version).catch((error: unknown) => {
    throw registryError(error, config);
  });
  const pushed = await withBuilder(
    config,
    ctx,
    async (builder) => {
      const versionRef = imageRef(config.image, tags.version);
      const local = await builder.configDigests(versionRef, multi);
      if (!local) throw stackError('EDOCKERIMAGEMISSING', { ref: versionRef, builder: builder.name });
      const version = await pushVersion(
        builder,
        client,
        { ref: versionRef, tag: tags.version, repository, local, multi, existing },
        ctx,
        pushedRefs,
      );
      for (const tag of tags.floating)
        await pushFloating(
          client,
          { ref: imageRef(config.image, tag), tag, repository, multi },
          version,
          ctx,
          pushedRefs,
        );
      return version;
    },
    fetchImpl,
  ).catch((error: unknown) => {
    throw registryError(error, config);
  });
  // Say only what this run pushed: a resumed release reports skipped and pushed tags apart.
  if (pushedRefs.length) ctx.logger.log('Pushed %s (%s)', pushedRefs.join(', '), pushed.digest);
  else ctx.logger.log('Nothing to push: %s already hold %s', refs.join(', '), pushed.digest);
  return [{ kind: 'docker', type: 'image', name: config.image.name, refs, digest: pushed.digest }];
}

interface Target {
  ref: string;
  tag: string;
  repository: string;
  multi: boolean;
}

async function pushVersion(
  builder: Builder,
  client: OciClient,
  t: Target & { local: string[]; existing: RemoteImage | undefined },
  ctx: ReleaseContext,
  pushedRefs: string[],
): Promise<RemoteImage> {
  const existing = t.existing;
  if (existing) {
    if (!sameConfigs(existing.configDigests, t.local)) {
      throw stackError('EIMAGEEXISTS', {
        ref: t.ref,
        remote: existing.configDigests,
        local: t.local,
        digest: existing.digest,
      });
    }
    ctx.logger.log(
      '%s is already in the registry with this image (%s); not pushing it again',
      t.ref,
      existing.digest,
    );
    return existing;
  }
  await builder.push(t.ref, t.multi);
  pushedRefs.push(t.ref);
  const pushed = await remoteImage(client, t.repository, t.tag);
  if (!pushed || !sameConfigs(pushed.configDigests, t.local)) {
    throw stackError('EDOCKERPUSHVERIFY', {
      ref: t.ref,
      expected: t.local,
      actual: pushed?.configDigests ?? 'nothing',
    });
  }
  return pushed;
}

/**
 * A floating tag is set in the registry, to the manifest the version tag holds: the registry's own
 * bytes put again under another tag. So `latest` is exactly the released image even when another
 * build on the same daemon has since moved the local `latest`, and no second push runs.
 */
async function pushFloating(
  client: OciClient,
  t: Target,
  version: RemoteImage,
  ctx: ReleaseContext,
  pushedRefs: string[],
): Promise<void> {
  const before = await client.headManifest(t.repository, t.tag);
  if (before?.digest === version.digest) {
    ctx.logger.log('%s already points at %s', t.ref, version.digest);
    return;
  }
  const manifest = await client.getManifest(t.repository, version.digest);
  if (manifest) await client.putManifest(t.repository, t.tag, manifest.bytes, manifest.mediaType);
  pushedRefs.push(t.ref);
  const after = await client.headManifest(t.repository, t.tag);
  if (after?.digest !== version.digest) {
    throw stackError('EDOCKERPUSHVERIFY', {
      ref: t.ref,
      expected: version.digest,
      actual: after?.digest ?? 'nothing',
    });
  }
}
