import { createReadStream } from 'node:fs';
import type { HttpFetch } from '../../core/http.js';
import { releaseEpoch } from '../../core/epoch.js';
import type { Artifact, Manifest } from '../../core/manifest.js';
import type { PublishResult, ReleaseContext, StepContext } from '../../kind.js';
import { createOciClient, OciError, type OciClient } from '../../oci/client.js';
import { parseImageName, registryPageUrl } from '../../oci/reference.js';
import type { OciTarget } from './config.js';
import { chartArtifact, chartLayerDigest, HELM_MEDIA_TYPES, rfc3339 } from './oci-manifest.js';
import { readPackagedChart } from './packaged-chart.js';
import { stackError } from './errors.js';
import { renderedValue } from '../../version.js';

/** A chart's place in the registry: `<host>/<namespace>/<chart name>`. */
export interface ChartRepository {
  host: string;
  repository: string;
  /** `oci://<host>/<repository>` */
  location: string;
}

/** The chart's repository, or a coded error when `<helm.oci>/<name>` is not a valid OCI name. */
export function chartRepository(target: OciTarget, chartName: string): ChartRepository {
  const repository = target.namespace ? `${target.namespace}/${chartName}` : chartName;
  const location = `oci://${target.host}/${repository}`;
  const parsed = parseImageName(`${target.host}/${repository}`);
  if (!parsed.ok) throw stackError('ECHARTOCIREF', { ref: location, problem: parsed.problem });
  return { host: target.host, repository, location };
}

/**
 * The chart's tag. Helm tags a chart with its version, `+` turned into `_` (OCI tags cannot hold
 * `+`). The version model's image tag is exactly that rendering of the SemVer the chart version is.
 */
export const chartTag = (ctx: ReleaseContext): string => renderedValue(ctx.release.versions.imageTag);

/** A registry client for the chart's registry, with its credentials, sending through `fetch`. */
export function ociClient(target: OciTarget, fetch: HttpFetch): OciClient {
  return createOciClient({
    host: target.host,
    scheme: target.insecure ? 'http' : 'https',
    credentials: target.credentials,
    fetch,
  });
}

/** The registry's answer as a coded error: refused credentials, or any other failure. */
function registryError(error: unknown, target: OciTarget): Error {
  if (error instanceof OciError && (error.kind === 'auth' || error.kind === 'denied'))
    return stackError('ECHARTREGISTRYAUTH', { registry: target.host, reason: error.message });
  if (error instanceof OciError)
    return stackError('ECHARTREGISTRY', { registry: target.host, reason: error.message });
  return error as Error;
}

const credentialText = (target: OciTarget): string =>
  target.credentialSource ? `credentials from ${target.credentialSource}` : 'anonymous access';

/**
 * verifyConditions (also in dry-run): the reference is valid and the registry accepts the
 * credentials for pulling and pushing the chart repository. Only GET /v2/ (and, for a token
 * registry, the token endpoint asked for that scope): nothing is written anywhere.
 */
export async function checkChartRegistry(
  target: OciTarget,
  chartName: string | undefined,
  ctx: StepContext,
  fetchImpl?: HttpFetch,
): Promise<Error[]> {
  let repository: ChartRepository | undefined;
  if (chartName) {
    try {
      repository = chartRepository(target, chartName);
    } catch (error) {
      return [error as Error];
    }
  }
  try {
    await ociClient(target, fetchImpl ?? ctx.http.request).checkAuth(repository?.repository, [
      'pull',
      'push',
    ]);
    ctx.logger.log('The chart registry %s accepts the %s', target.host, credentialText(target));
    return [];
  } catch (error) {
    const coded = registryError(error, target);
    if (!target.credentials && (coded as { code?: string }).code === 'ECHARTREGISTRYAUTH') {
      // Unlike images (pushed by a builder with its own login), the chart is pushed by this client
      // alone: without credentials a registry that wants them will refuse the push.
      return [
        stackError('ECHARTREGISTRYAUTH', {
          registry: target.host,
          reason: `${error instanceof Error ? error.message : String(error)}; no credentials are set (HELM_REGISTRY_USER/HELM_REGISTRY_PASSWORD, or DOCKER_REGISTRY_USER/DOCKER_REGISTRY_PASSWORD)`,
        }),
      ];
    }
    return [coded];
  }
}

/**
 * publish: pushes the package prepare made, unless the tag already holds it. The same manifest
 * digest, or a manifest with the same chart layer (the same .tgz pushed by `helm push` at another
 * time), counts as already published; anything else under the tag is a conflict (ECHARTEXISTS).
 */
export async function pushChart(
  target: OciTarget,
  ctx: ReleaseContext,
  manifest: Manifest,
  fetchImpl?: HttpFetch,
): Promise<PublishResult> {
  const chart = await readPackagedChart(ctx, manifest);
  const name = chart.metadata.name!;
  const repo = chartRepository(target, name);
  const tag = chartTag(ctx);
  const ref = `${repo.location}:${tag}`;
  const built = chartArtifact(chart, chart.metadata, chart.metadataJson, rfc3339(await releaseEpoch(ctx)));
  const registry = ociClient(target, fetchImpl ?? ctx.http.request);
  const record = (digest: string): Artifact[] => [
    { kind: 'helm', type: 'chart-oci', name: `${repo.host}/${repo.repository}`, refs: [ref], digest },
  ];
  const release = {
    name: `Helm chart ${ref}`,
    url: registryPageUrl({ host: repo.host, repository: repo.repository, insecure: target.insecure }, tag),
  };
  try {
    const existing = await registry.headManifest(repo.repository, tag);
    if (existing) {
      const who = { ref, name, version: renderedValue(ctx.release.versions.chartVersion) };
      const found = await alreadyThere(registry, repo, tag, existing.digest, built, who);
      if ('error' in found)
        return { outcomes: [{ status: 'conflict', what: ref, error: found.error }], artifacts: [] };
      const why = `already holds this chart (${found.digest})`;
      ctx.logger.log('%s %s; not pushing it again', ref, why);
      return {
        outcomes: [{ status: 'already-there', what: ref, why }],
        artifacts: record(found.digest),
        release,
      };
    }
    // The .tgz goes up from its file; the client checks its bytes still match the digest.
    await registry.pushBlob(repo.repository, {
      digest: built.chart.digest,
      size: built.chart.size,
      open: () => createReadStream(chart.file),
    });
    await registry.pushBlob(repo.repository, built.config.bytes);
    const pushed = await registry.putManifest(
      repo.repository,
      tag,
      built.manifest.bytes,
      HELM_MEDIA_TYPES.manifest,
    );
    if (pushed !== built.manifest.digest)
      throw stackError('ECHARTPUSHVERIFY', { ref, expected: built.manifest.digest, actual: pushed });
  } catch (error) {
    throw registryError(error, target);
  }
  ctx.logger.log('Pushed chart %s (%s)', ref, built.manifest.digest);
  return {
    outcomes: [{ status: 'published', what: ref }],
    artifacts: record(built.manifest.digest),
    release,
  };
}

/** The digest to record when the tag exists and holds this chart; the conflict (ECHARTEXISTS) otherwise. */
async function alreadyThere(
  registry: OciClient,
  repo: ChartRepository,
  tag: string,
  remoteDigest: string,
  built: ReturnType<typeof chartArtifact>,
  who: { ref: string; name: string; version: string },
): Promise<{ digest: string } | { error: Error }> {
  if (remoteDigest === built.manifest.digest) return { digest: remoteDigest };
  const remote = await registry.getManifest(repo.repository, tag);
  if (remote && chartLayerDigest(remote.json) === built.chart.digest) return { digest: remote.digest };
  const error = stackError('ECHARTEXISTS', {
    where: `\`${who.ref}\``,
    name: who.name,
    version: who.version,
    remote: `manifest ${remoteDigest} (chart layer ${(remote && chartLayerDigest(remote.json)) ?? 'none'})`,
    local: `manifest ${built.manifest.digest} (chart layer ${built.chart.digest})`,
  });
  return { error };
}
