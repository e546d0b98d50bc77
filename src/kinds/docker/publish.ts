import type { HttpFetch } from '../../core/http.js';
import { stackError } from './errors.js';
import {
  noPublish,
  type Outcome,
  type PublishedRelease,
  type PublishResult,
  type ReleaseContext,
} from '../../kind.js';
import type { OciClient } from '../../oci/client.js';
import { imageRef, registryPageUrl } from '../../oci/reference.js';
import type { Builder } from './builders/builder.js';
import type { DockerConfig, ImageConfig } from './config.js';
import { withBuilder } from './login.js';
import { registryClient, registryError, remoteImage, type RemoteImage } from './registry.js';
import { imageRefs, imageTags } from './tags.js';

const sameConfigs = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Every image in order, each to its own registry with its own login. An image that shares another's
 * build pushes the same local image under its own name: nothing is built here.
 */
export async function publishImages(
  config: DockerConfig,
  ctx: ReleaseContext,
  fetchImpl?: HttpFetch,
): Promise<PublishResult> {
  return eachImage(config, (image) => publishImage(image, ctx, fetchImpl));
}

/** `step` for every image, one after the other, the results merged into one. */
export async function eachImage(
  config: DockerConfig,
  step: (image: ImageConfig) => Promise<PublishResult>,
): Promise<PublishResult> {
  const results: PublishResult[] = [];
  for (const image of config.images) results.push(await step(image));
  return mergeResults(results);
}

/** The images' outcomes and records together; semantic-release lists them as one release. */
function mergeResults(results: readonly PublishResult[]): PublishResult {
  const releases = results.flatMap((r) => (r.release ? [r.release] : []));
  const merged: PublishResult = {
    outcomes: results.flatMap((r) => r.outcomes),
    artifacts: results.flatMap((r) => r.artifacts),
  };
  if (releases.length === 1) merged.release = releases[0];
  else if (releases.length > 1)
    merged.release = {
      name: `Docker images ${releases.map((r) => r.name.replace(/^Docker image /, '')).join(', ')}`,
      ...(releases[0]!.url ? { url: releases[0]!.url } : {}),
    };
  return merged;
}

/**
 * Pushes the version tag, then the floating tags, and records the digest the registry serves.
 * The image is identified by its config digest(s): that is what the builder knows locally (docker's
 * image ID) and it survives the push unchanged, unlike a manifest digest, which depends on how the
 * layers were compressed. A version tag already holding the same configs is not pushed again; one
 * holding another image is a conflict (EIMAGEEXISTS): a released version is never overwritten.
 */
export async function publishImage(
  config: ImageConfig,
  ctx: ReleaseContext,
  fetchImpl?: HttpFetch,
): Promise<PublishResult> {
  const tags = imageTags(config, ctx);
  const refs = imageRefs(config.image, tags);
  if (!config.push) {
    ctx.logger.log('Not pushing %s (%s.push is false)', refs.join(', '), config.option);
    return noPublish;
  }
  const multi = config.platforms.length > 0;
  const repository = config.image.repository;
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
      const target = { ref: versionRef, tag: tags.version, repository, local, multi, existing };
      const version = await pushVersion(builder, client, target, ctx);
      if (!version.image) return { image: undefined, outcomes: [version.outcome] };
      const floating = await moveFloatingTags(client, config, tags.floating, version.image, ctx);
      return { image: version.image, outcomes: [version.outcome, ...floating] };
    },
    fetchImpl,
  ).catch((error: unknown) => {
    throw registryError(error, config);
  });
  if (!pushed.image) return { outcomes: pushed.outcomes, artifacts: [] };
  const sent = pushed.outcomes.filter((o) => o.status === 'published').map((o) => o.what);
  if (sent.length) ctx.logger.log('Pushed %s (%s)', sent.join(', '), pushed.image.digest);
  else ctx.logger.log('Nothing to push: %s already hold %s', refs.join(', '), pushed.image.digest);
  return {
    outcomes: pushed.outcomes,
    artifacts: [
      { kind: 'docker', type: 'image', name: config.image.name, refs, digest: pushed.image.digest },
    ],
    release: imageRelease(config, tags.version),
  };
}

/** The image as semantic-release lists it: its version reference and its registry page. */
export function imageRelease(config: ImageConfig, tag: string): PublishedRelease {
  const { apiHost, repository } = config.image;
  return {
    name: `Docker image ${imageRef(config.image, tag)}`,
    url: registryPageUrl({ host: apiHost, repository, insecure: config.insecureRegistry }, tag),
  };
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
): Promise<{ image: RemoteImage | undefined; outcome: Outcome }> {
  const existing = t.existing;
  if (existing) {
    if (!sameConfigs(existing.configDigests, t.local)) {
      const error = stackError('EIMAGEEXISTS', {
        ref: t.ref,
        remote: existing.configDigests,
        local: t.local,
        digest: existing.digest,
      });
      return { image: undefined, outcome: { status: 'conflict', what: t.ref, error } };
    }
    const why = `is already in the registry with this image (${existing.digest})`;
    ctx.logger.log('%s %s; not pushing it again', t.ref, why);
    return { image: existing, outcome: { status: 'already-there', what: t.ref, why } };
  }
  await builder.push(t.ref, t.multi);
  const pushed = await remoteImage(client, t.repository, t.tag);
  if (!pushed || !sameConfigs(pushed.configDigests, t.local)) {
    throw stackError('EDOCKERPUSHVERIFY', {
      ref: t.ref,
      expected: t.local,
      actual: pushed?.configDigests ?? 'nothing',
    });
  }
  return { image: pushed, outcome: { status: 'published', what: t.ref } };
}

/**
 * Sets each floating tag in the registry to the manifest the version tag holds: the registry's own
 * bytes put again under another tag. So `latest` is exactly the released image even when another
 * build on the same daemon has since moved the local `latest`, and no second push runs. Also what
 * addChannel does when a release reaches another channel: no build, no layer.
 */
export async function moveFloatingTags(
  client: OciClient,
  config: ImageConfig,
  floating: readonly string[],
  version: RemoteImage,
  ctx: ReleaseContext,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const tag of floating) {
    const ref = imageRef(config.image, tag);
    const repository = config.image.repository;
    const before = await client.headManifest(repository, tag);
    if (before?.digest === version.digest) {
      const why = `already points at ${version.digest}`;
      ctx.logger.log('%s %s', ref, why);
      outcomes.push({ status: 'already-there', what: ref, why });
      continue;
    }
    const manifest = await client.getManifest(repository, version.digest);
    if (manifest) await client.putManifest(repository, tag, manifest.bytes, manifest.mediaType);
    const after = await client.headManifest(repository, tag);
    if (after?.digest !== version.digest) {
      throw stackError('EDOCKERPUSHVERIFY', {
        ref,
        expected: version.digest,
        actual: after?.digest ?? 'nothing',
      });
    }
    outcomes.push({ status: 'published', what: ref });
  }
  return outcomes;
}
