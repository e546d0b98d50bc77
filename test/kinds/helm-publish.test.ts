import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPlugin } from '../../src/core/plugin.js';
import { kindByEntry } from '../../src/kinds/index.js';
import { parseOciLocation, resolveHelmConfig } from '../../src/kinds/helm/config.js';
import { goJson } from '../../src/kinds/helm/go-json.js';
import { chartAnnotations, chartArtifact, HELM_MEDIA_TYPES } from '../../src/kinds/helm/oci-manifest.js';
import { createHttpClient } from '../../src/core/http.js';
import { createOciClient } from '../../src/oci/client.js';
import { fakeStepContext, recordingLogger, srContext, type RecordingLogger } from '../helpers/contexts.js';
import { getBlob, getManifest, listTags, startRegistry, type Registry } from '../helpers/registry.js';

const helm = () => createPlugin([kindByEntry('helm')] as never, 'standalone');
const USER = 'chart-bot';
const PASSWORD = 'Chart-Pa55word-xyz';
const EPOCH = '1700000000'; // 2023-11-14T22:13:20Z
const REPO = 'charts/os-vim-driver';

const CHART = `# Chart of the os-vim-driver service
apiVersion: v2
name: os-vim-driver
description: A Helm chart for the driver # kept
home: https://example.com/os-vim-driver
sources:
  - https://github.com/acme/os-vim-driver
  - https://mirror.example.com/os-vim-driver
maintainers:
  - name: Ops
    email: ops@example.com
  - name: Dev
annotations:
  z.example/last: "<tag> & more"
  a.example/first: one
  org.opencontainers.image.title: not-the-title
version: 0.2.0.dev0
appVersion: 0.2.0.dev0
`;
const VALUES = `docker:
  image: accanto/os-vim-driver
  version: 0.2.0.dev0
`;

let registry: Registry;
beforeAll(async () => {
  registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
});
afterAll(async () => {
  await registry?.stop();
});

let root: string;
const chartDir = () => path.join(root, 'helm/os-vim-driver');
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'srs-helm-publish-'));
  await mkdir(path.join(chartDir(), 'templates'), { recursive: true });
  await writeFile(path.join(chartDir(), 'Chart.yaml'), CHART);
  await writeFile(path.join(chartDir(), 'values.yaml'), VALUES);
  await writeFile(path.join(chartDir(), 'templates/deployment.yaml'), 'kind: Deployment\n');
  return () => rm(root, { recursive: true, force: true });
});

const options = (extra: Record<string, unknown> = {}) => ({
  chart: 'helm/os-vim-driver',
  imageTagKey: 'docker.version',
  oci: `oci://${registry.host}/charts`,
  ...extra,
});
const helmCredentials = { HELM_REGISTRY_USER: USER, HELM_REGISTRY_PASSWORD: PASSWORD };
const auth = () => ({ user: USER, password: PASSWORD });
const codes = (error: unknown): string[] =>
  (error instanceof AggregateError ? error.errors : [error]).map((e) => (e as { code: string }).code).sort();
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function context(logger: RecordingLogger, version = '1.4.0', env: Record<string, string> = helmCredentials) {
  return srContext({ root, logger, version, env: { SOURCE_DATE_EPOCH: EPOCH, ...env } });
}

/** verifyConditions, verifyRelease, prepare, publish: what a release runs up to the GitHub release. */
async function release(ctx: ReturnType<typeof context>, opts = options()) {
  await helm().verifyConditions(opts, ctx);
  await helm().verifyRelease(opts, ctx);
  await helm().prepare(opts, ctx);
  await helm().publish(opts, ctx);
}

async function releaseManifest() {
  return JSON.parse(await readFile(path.join(root, 'release-artifacts/manifest.json'), 'utf8')) as {
    artifacts: Array<{ type: string; name: string; refs?: string[]; digest?: string; path?: string }>;
  };
}

function expectNoSecret(text: string) {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
}

describe('helm.oci: pushing the chart to a real registry', () => {
  it('pushes the package with Helm media types, config and annotations, read back through the API', async () => {
    const logger = recordingLogger();
    await release(context(logger));
    const ref = `oci://${registry.host}/${REPO}:1.4.0`;
    expect(logger.text()).toContain(`push chart ${ref}`); // the plan
    expect(logger.text()).toContain(`Pushed chart ${ref}`);

    const tgz = await readFile(path.join(root, 'release-artifacts/os-vim-driver-1.4.0.tgz'));
    const got = await getManifest(registry, REPO, '1.4.0', { auth: auth() });
    expect(got.status).toBe(200);
    expect(got.contentType).toBe(HELM_MEDIA_TYPES.manifest);
    const manifest = got.json as {
      schemaVersion: number;
      config: { mediaType: string; digest: string; size: number };
      layers: Array<{ mediaType: string; digest: string; size: number }>;
      annotations: Record<string, string>;
    };
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.config.mediaType).toBe('application/vnd.cncf.helm.config.v1+json');
    expect(manifest.layers).toEqual([
      {
        mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        digest: `sha256:${sha256(tgz)}`,
        size: tgz.length,
      },
    ]);
    expect((await getBlob(registry, REPO, manifest.layers[0]!.digest, auth())).equals(tgz)).toBe(true);

    // The config blob is chart.Metadata as Go's encoding/json writes it: struct field order, map
    // keys sorted, HTML characters escaped.
    const config = (await getBlob(registry, REPO, manifest.config.digest, auth())).toString('utf8');
    expect(config).toBe(
      '{"name":"os-vim-driver","home":"https://example.com/os-vim-driver",' +
        '"sources":["https://github.com/acme/os-vim-driver","https://mirror.example.com/os-vim-driver"],' +
        '"version":"1.4.0","description":"A Helm chart for the driver",' +
        '"maintainers":[{"name":"Ops","email":"ops@example.com"},{"name":"Dev"}],"apiVersion":"v2",' +
        '"appVersion":"1.4.0","annotations":{"a.example/first":"one",' +
        '"org.opencontainers.image.title":"not-the-title","z.example/last":"\\u003ctag\\u003e \\u0026 more"}}',
    );
    expect(manifest.annotations).toEqual({
      'org.opencontainers.image.title': 'os-vim-driver', // the chart cannot override title/version
      'org.opencontainers.image.version': '1.4.0',
      'org.opencontainers.image.description': 'A Helm chart for the driver',
      'org.opencontainers.image.url': 'https://example.com/os-vim-driver',
      'org.opencontainers.image.source': 'https://github.com/acme/os-vim-driver',
      'org.opencontainers.image.authors': 'Ops (ops@example.com), Dev',
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z', // SOURCE_DATE_EPOCH, not the push time
      'a.example/first': 'one',
      'z.example/last': '<tag> & more',
    });

    const recorded = (await releaseManifest()).artifacts.find((a) => a.type === 'chart-oci');
    expect(recorded).toEqual({
      kind: 'helm',
      type: 'chart-oci',
      name: `${registry.host}/${REPO}`,
      refs: [ref],
      digest: got.digest,
    });
    expectNoSecret(logger.text());
  });

  it('skips a re-push of the same chart, and refuses another chart under the same tag', async () => {
    const first = recordingLogger();
    await release(context(first, '1.6.0'));
    const before = await getManifest(registry, REPO, '1.6.0', { auth: auth() });

    const again = recordingLogger();
    await helm().publish(options(), context(again, '1.6.0'));
    expect(again.text()).toContain(`${REPO}:1.6.0 already holds this chart (${before.digest})`);
    expect((await getManifest(registry, REPO, '1.6.0', { auth: auth() })).digest).toBe(before.digest);

    // Another chart (a template more) packaged for the same version
    await writeFile(path.join(chartDir(), 'templates/service.yaml'), 'kind: Service\n');
    const other = recordingLogger();
    await helm().prepare(options(), context(other, '1.6.0'));
    const error = await helm()
      .publish(options(), context(other, '1.6.0'))
      .catch((e: unknown) => e);
    expect(codes(error)).toEqual(['ECHARTEXISTS']);
    expect((error as Error).message).toContain(`oci://${registry.host}/${REPO}:1.6.0`);
    expect((await getManifest(registry, REPO, '1.6.0', { auth: auth() })).digest).toBe(before.digest);
  });

  it('accepts the same package pushed earlier at another time (helm push stamps its own created)', async () => {
    const logger = recordingLogger();
    const ctx = context(logger, '1.7.0');
    await helm().prepare(options(), ctx);
    // What `helm push` of this very .tgz would have stored: same layer, another `created`.
    const tgz = await readFile(path.join(root, 'release-artifacts/os-vim-driver-1.7.0.tgz'));
    const metadata = { apiVersion: 'v2', name: 'os-vim-driver', version: '1.7.0' };
    const sha256 = createHash('sha256').update(tgz).digest('hex');
    const earlier = chartArtifact({ sha256, size: tgz.length }, metadata, metadata, '2030-01-01T00:00:00Z');
    const client = createOciClient({
      host: registry.host,
      scheme: 'http',
      credentials: { username: USER, password: PASSWORD },
      fetch: createHttpClient({ env: {} }).request,
    });
    await client.pushBlob(REPO, tgz);
    await client.pushBlob(REPO, earlier.config.bytes);
    await client.putManifest(REPO, '1.7.0', earlier.manifest.bytes, HELM_MEDIA_TYPES.manifest);

    await helm().publish(options(), ctx);
    expect(logger.text()).toContain('already holds this chart');
    const recorded = (await releaseManifest()).artifacts.find((a) => a.type === 'chart-oci');
    expect(recorded?.digest).toBe(earlier.manifest.digest);
  });

  it('tags a version with build metadata with `_` for `+`, keeping `+` in the chart', async () => {
    const logger = recordingLogger();
    await release(context(logger, '1.5.0+build.7'));
    expect(await listTags(registry, REPO, auth())).toContain('1.5.0_build.7');
    const got = await getManifest(registry, REPO, '1.5.0_build.7', { auth: auth() });
    const manifest = got.json as { annotations: Record<string, string>; config: { digest: string } };
    expect(manifest.annotations['org.opencontainers.image.version']).toBe('1.5.0+build.7');
    const config = JSON.parse((await getBlob(registry, REPO, manifest.config.digest, auth())).toString());
    expect(config.version).toBe('1.5.0+build.7');
    expect(logger.text()).toContain(`oci://${registry.host}/${REPO}:1.5.0_build.7`);
    const names = (await releaseManifest()).artifacts.map((a) => a.name);
    expect(names).toContain('os-vim-driver-1.5.0+build.7.tgz');
  });

  it('falls back to the Docker registry credentials', async () => {
    const logger = recordingLogger();
    const docker = { DOCKER_REGISTRY_USER: USER, DOCKER_REGISTRY_PASSWORD: PASSWORD };
    await release(context(logger, '1.8.0', docker));
    expect(logger.text()).toContain(
      `The chart registry ${registry.host} accepts the credentials from DOCKER_REGISTRY_*`,
    );
    expect((await getManifest(registry, REPO, '1.8.0', { auth: auth() })).status).toBe(200);
    expectNoSecret(logger.text());
  });

  it('checks the credentials in verifyConditions, read-only, also in a dry run', async () => {
    const wrong = 'Wrong-Pa55word-abc';
    const logger = recordingLogger();
    const ctx = srContext({
      root,
      logger,
      dryRun: true,
      env: { HELM_REGISTRY_USER: USER, HELM_REGISTRY_PASSWORD: wrong },
    });
    const error = await helm()
      .verifyConditions(options({ oci: `oci://${registry.host}/dry` }), ctx)
      .catch((e: unknown) => e);
    expect(codes(error)).toEqual(['ECHARTREGISTRYAUTH']);
    expect((error as Error).message).toContain(registry.host);
    const text = `${(error as Error).message}\n${(error as { details: string }).details}\n${logger.text()}`;
    expect(text).not.toContain(wrong);
    expect(await listTags(registry, 'dry/os-vim-driver', auth())).toEqual([]);

    // No credentials at all: the registry wants some, and nothing else would log in for the push.
    const anonymous = await helm()
      .verifyConditions(options(), srContext({ root }))
      .catch((e: unknown) => e);
    expect(codes(anonymous)).toEqual(['ECHARTREGISTRYAUTH']);
    expect((anonymous as { details: string }).details).toContain('no credentials are set');

    // Half a pair does not silently fall back to the Docker pair.
    const half = await helm()
      .verifyConditions(
        options(),
        srContext({
          root,
          env: { HELM_REGISTRY_USER: USER, DOCKER_REGISTRY_USER: USER, DOCKER_REGISTRY_PASSWORD: PASSWORD },
        }),
      )
      .catch((e: unknown) => e);
    expect(codes(half)).toEqual(['ECHARTREGISTRYCREDENTIALS']);

    await helm().verifyConditions(options(), srContext({ root, dryRun: true, env: helmCredentials }));
  });

  it('refuses a chart name that is not a valid OCI repository name', async () => {
    await writeFile(
      path.join(chartDir(), 'Chart.yaml'),
      CHART.replace('name: os-vim-driver', 'name: OS_Vim'),
    );
    const error = await helm()
      .verifyConditions(options(), srContext({ root, env: helmCredentials }))
      .catch((e: unknown) => e);
    expect(codes(error)).toEqual(['ECHARTOCIREF']);
  });
});

describe('helm.oci options', () => {
  const resolve = (raw: Record<string, unknown>, env: Record<string, string> = {}) =>
    resolveHelmConfig({ chart: 'helm/c', ...raw }, fakeStepContext({ root: '/tmp', env }));

  it('parses the location and picks plain HTTP for loopback registries only', () => {
    expect(parseOciLocation('oci://registry.example.com/charts/')).toEqual({
      ok: true,
      host: 'registry.example.com',
      namespace: 'charts',
    });
    expect(parseOciLocation('oci://localhost:5000')).toEqual({
      ok: true,
      host: 'localhost:5000',
      namespace: '',
    });
    for (const bad of [
      'https://r.example.com/c',
      'oci://r.example.com/Charts',
      'oci://r.example.com/c:1.0',
      'oci://-x/c',
    ])
      expect(parseOciLocation(bad).ok, bad).toBe(false);
    expect(resolve({ oci: 'oci://127.0.0.1:5000/c' }).config?.oci?.insecure).toBe(true);
    expect(resolve({ oci: 'oci://registry.example.com/c' }).config?.oci?.insecure).toBe(false);
    expect(
      resolve({ oci: 'oci://registry.example.com/c', insecureRegistry: true }).config?.oci?.insecure,
    ).toBe(true);
    expect(codes(resolve({ oci: 'https://registry.example.com' }).errors[0])).toEqual(['EINVALIDOPTION']);
    expect(codes(resolve({ oci: 'oci://r.example.com', package: false }).errors[0])).toEqual([
      'EINVALIDOPTION',
    ]);
  });

  it('takes the Helm pair first, then the Docker pair', () => {
    const both = resolve(
      { oci: 'oci://r.example.com' },
      {
        HELM_REGISTRY_USER: 'h',
        HELM_REGISTRY_PASSWORD: 'hp',
        DOCKER_REGISTRY_USER: 'd',
        DOCKER_REGISTRY_PASSWORD: 'dp',
      },
    );
    expect(both.config?.oci?.credentials).toEqual({ username: 'h', password: 'hp' });
    const docker = resolve(
      { oci: 'oci://r.example.com' },
      { DOCKER_REGISTRY_USER: 'd', DOCKER_REGISTRY_PASSWORD: 'dp' },
    );
    expect(docker.config?.oci?.credentials).toEqual({ username: 'd', password: 'dp' });
    expect(resolve({ oci: 'oci://r.example.com' }).config?.oci?.credentials).toBeUndefined();
  });
});

describe('Go-compatible manifest bytes', () => {
  it('encodes structs in field order and maps sorted, with encoding/json escapes', () => {
    expect(goJson({ b: 1, a: { y: '<', x: '&' }, annotations: { y: '\u2028', x: '>' } })).toBe(
      '{"b":1,"a":{"y":"\\u003c","x":"\\u0026"},"annotations":{"x":"\\u003e","y":"\\u2028"}}',
    );
  });

  it('leaves empty OCI annotations out, as Helm does', () => {
    expect(
      chartAnnotations({ name: 'c', version: '1.0.0', description: '  ' }, '2023-11-14T22:13:20Z'),
    ).toEqual({
      'org.opencontainers.image.title': 'c',
      'org.opencontainers.image.version': '1.0.0',
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
    });
  });
});
