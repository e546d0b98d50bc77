/**
 * A signed release of examples/python-service through the REAL semantic-release CLI (the preset,
 * dockerd, Debian's docker-registry 2.8, the GitHub stand-in) with `sign` on against the Sigstore
 * stand-in, the identity an ID token from the GitHub Actions token stand-in. Then what a consumer
 * does: `semantic-release-stack verify` of the tag and of the image, an independent check of every
 * bundle with @sigstore/verify, the referrers read through the registry API; and tampering — a
 * changed asset, an image re-pushed under the same tag, a bundle for another digest — that verify
 * must catch, naming the artifact. Last, a dry run signs nothing, and `publish --tag` signs only
 * what is missing.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import type { Manifest } from '../../src/core/manifest.js';
import { createHttpClient } from '../../src/core/http.js';
import { createOciClient, MEDIA_TYPES } from '../../src/oci/client.js';
import { attachReferrer } from '../../src/sign/referrers.js';
import { ensureDocker } from '../helpers/docker.js';
import { commitAndPush, createRepo, type TestRepo } from '../helpers/git.js';
import { GitHubStandin, githubEnv, linkRepo } from '../helpers/github-standin.js';
import { getBlob, getManifest, startRegistry, type Registry } from '../helpers/registry.js';
import { runSemanticRelease, semanticReleaseEnv } from '../helpers/semantic-release.js';
import {
  ACTIONS_ISSUER,
  startActionsTokenStandin,
  startSigstore,
  type ActionsTokenStandin,
  type SigstoreStandin,
} from '../helpers/sigstore.js';
import { runCli } from '../reliability/support.js';
import { pushTestImage } from '../sign/fixtures.js';
import {
  DIST_PRESET,
  IMAGE_REPO,
  REGISTRY_AUTH,
  SLUG,
  exampleFiles,
  localConfig,
  requireBuild,
  sha256,
} from './example.js';

const SAN = `https://github.com/${SLUG}/.github/workflows/release.yml@refs/heads/main`;
const CHART_REPO = 'charts/os-vim-driver';
let repo: TestRepo;
let registry: Registry;
let standin: GitHubStandin;
let sigstore: SigstoreStandin;
let actions: ActionsTokenStandin;
let config: Record<string, unknown>;
let env: Record<string, string>;
let home: string;
let trustedRoot: string;
let manifest: Manifest;

beforeAll(async () => {
  requireBuild();
  const { host } = await ensureDocker();
  registry = await startRegistry({ auth: REGISTRY_AUTH });
  standin = new GitHubStandin({ repos: [SLUG] });
  await standin.start();
  sigstore = await startSigstore();
  actions = await startActionsTokenStandin(sigstore, { sub: SAN, repository: SLUG, ref: 'refs/heads/main' });
  repo = await createRepo({ files: await exampleFiles(), slug: SLUG });
  const base = await localConfig({ registry, repositoryUrl: linkRepo(repo, standin), extends: DIST_PRESET });
  config = {
    ...base,
    helm: { ...(base.helm as object), oci: `oci://${registry.host}/charts` },
    sign: { fulcioUrl: sigstore.fulcioUrl, rekorUrl: sigstore.rekorUrl, tsaUrl: sigstore.tsaUrl },
  };
  home = await mkdtemp(path.join(tmpdir(), 'srs-signed-'));
  trustedRoot = path.join(home, 'trusted_root.json');
  await sigstore.writeTrustedRoot(trustedRoot);
  env = {
    ...githubEnv(standin),
    DOCKER_HOST: host,
    DOCKER_REGISTRY_USER: REGISTRY_AUTH.user,
    DOCKER_REGISTRY_PASSWORD: REGISTRY_AUTH.password,
    ACTIONS_ID_TOKEN_REQUEST_URL: actions.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: actions.requestToken,
    HOME: home,
  };
});

afterAll(async () => {
  await actions?.stop();
  await sigstore?.stop();
  await standin?.stop();
  await registry?.stop();
  await repo?.cleanup();
  if (home) await rm(home, { recursive: true, force: true });
});

const verify = (target: string, extra: string[] = []) =>
  runCli(['verify', target, '--trusted-root', trustedRoot, '--repository', SLUG, ...extra], {
    cwd: repo.dir,
    env: semanticReleaseEnv(repo, env),
  });
const assets = () => new Map(standin.assetsOf('v1.0.0').map((a) => [a.name, a.data]));
const verifier = () => new Verifier(toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot)));
const policy = { subjectAlternativeName: SAN, extensions: { issuer: ACTIONS_ISSUER } };
const auth = () => registry.auth;

/** Every file of a work tree (without .git), name → bytes. */
async function snapshotFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (child === '.git') continue;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) files.set(child, await readFile(path.join(dir, child)));
    }
  };
  await walk('');
  return files;
}

async function referrers(repository: string, digest: string) {
  const index = await getManifest(registry, repository, digest.replace(':', '-'), { auth: auth() });
  expect(index.status, `tag schema index of ${repository}@${digest}`).toBe(200);
  return index.json!.manifests as Array<{
    digest: string;
    artifactType: string;
    annotations?: Record<string, string>;
  }>;
}

async function referrerBytes(repository: string, digest: string): Promise<Buffer> {
  const referrer = await getManifest(registry, repository, digest, { auth: auth() });
  const layer = (referrer.json!.layers as Array<{ digest: string }>)[0]!;
  return getBlob(registry, repository, layer.digest, auth());
}

describe.sequential('a signed release of the example', { timeout: 400_000 }, () => {
  it('releases 1.0.0 with signatures, provenance and SBOMs attached to the GitHub release', async () => {
    await commitAndPush(repo, 'feat: manage networks on OpenStack', { 'osvimdriver/networks.py': '' });
    const result = await runSemanticRelease(repo, { config, env });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/sign {4}attest every artifact/);
    for (const secret of [actions.requestToken, REGISTRY_AUTH.password])
      expect(result.output).not.toContain(secret);
    expect(actions.audiences).toEqual(['sigstore']);

    const files = assets();
    expect([...files.keys()].sort()).toEqual(
      [
        'SHA256SUMS',
        'SHA256SUMS.sigstore.json',
        'manifest.json',
        'os-vim-driver-1.0.0-docs.tgz',
        'os-vim-driver-1.0.0-image.cdx.json',
        'os-vim-driver-1.0.0.cdx.json',
        'os-vim-driver-1.0.0.tar.gz',
        'os-vim-driver-1.0.0.tgz',
        'os_vim_driver-1.0.0-py3-none-any.whl',
        'provenance.sigstore.json',
      ].sort(),
    );
    manifest = JSON.parse(files.get('manifest.json')!.toString()) as Manifest;
    for (const name of [
      'SHA256SUMS.sigstore.json',
      'provenance.sigstore.json',
      'os-vim-driver-1.0.0.cdx.json',
    ]) {
      expect(manifest.artifacts.find((a) => a.name === name)?.sha256, name).toBe(sha256(files.get(name)!));
    }
    // The ID token went to Fulcio only: not into the output, any asset or the repository's files.
    const tokens = new Set(
      sigstore.requests
        .filter((r) => r.path === '/api/v2/signingCert')
        .map(
          (r) =>
            (JSON.parse(r.body) as { credentials: { oidcIdentityToken: string } }).credentials
              .oidcIdentityToken,
        ),
    );
    expect(tokens.size).toBe(1);
    const local = await snapshotFiles(repo.dir);
    for (const token of tokens) {
      const signature = token.split('.')[2]!;
      expect(result.output).not.toContain(signature);
      for (const [name, data] of [...files, ...local])
        expect(data.toString('latin1'), name).not.toContain(signature);
    }
    for (const name of ['SHA256SUMS.sigstore.json', 'provenance.sigstore.json']) {
      const bundle = JSON.parse(files.get(name)!.toString());
      expect(Object.keys(bundle.verificationMaterial).sort()).toEqual([
        'certificate',
        'timestampVerificationData',
        'tlogEntries',
      ]);
      expect(files.get(name)!.toString()).not.toMatch(/PRIVATE KEY/);
    }
    const sbom = JSON.parse(files.get('os-vim-driver-1.0.0.cdx.json')!.toString());
    expect(sbom.metadata.component.purl).toBe('pkg:pypi/os-vim-driver@1.0.0');
  });

  it('passes `semantic-release-stack verify` of the tag and of the image', async () => {
    const tag = await verify('v1.0.0');
    expect(tag.code, tag.output).toBe(0);
    const image = manifest.artifacts.find((a) => a.type === 'image')!;
    const chart = manifest.artifacts.find((a) => a.type === 'chart-oci')!;
    for (const line of [
      /^ok {6}checksums SHA256SUMS: signed by https:\/\/github\.com\/accanto/m,
      /^ok {6}file os_vim_driver-1\.0\.0-py3-none-any\.whl: /m,
      /^ok {6}file os-vim-driver-1\.0\.0-image\.cdx\.json: /m,
      new RegExp(`^ok {6}image ${registry.host}/${IMAGE_REPO}@${image.digest}: signature verified`, 'm'),
      new RegExp(
        `^ok {6}chart oci://${registry.host}/${CHART_REPO}@${chart.digest}: signature verified`,
        'm',
      ),
      /^ok {6}sbom .*covered by the provenance$/m,
    ])
      expect(tag.stdout).toMatch(line);
    expect(tag.stdout, tag.output).not.toContain('FAILED');

    const byRef = await verify(`${registry.host}/${IMAGE_REPO}:1.0.0`);
    expect(byRef.code, byRef.output).toBe(0);
    expect(byRef.stdout.trim().split('\n')).toHaveLength(3);

    // Pinned identity: the same release does not verify for another workflow.
    const other = await verify('v1.0.0', [
      '--identity',
      `https://github.com/${SLUG}/.github/workflows/other.yml@refs/heads/main`,
    ]);
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/^FAILED {2}checksums SHA256SUMS: .*does not verify/m);
  });

  it('holds bundles that @sigstore/verify accepts on their own, and referrers in the tag schema', async () => {
    const files = assets();
    verifier().verify(
      toSignedEntity(
        bundleFromJSON(JSON.parse(files.get('SHA256SUMS.sigstore.json')!.toString())),
        files.get('SHA256SUMS'),
      ),
      policy,
    );
    verifier().verify(
      toSignedEntity(bundleFromJSON(JSON.parse(files.get('provenance.sigstore.json')!.toString()))),
      policy,
    );
    for (const artifact of manifest.artifacts.filter((a) => a.type === 'image' || a.type === 'chart-oci')) {
      const repository = artifact.type === 'image' ? IMAGE_REPO : CHART_REPO;
      const index = await referrers(repository, artifact.digest!);
      const kinds = index
        .map((m) => m.annotations?.['dev.sigstore.bundle.predicateType'] ?? m.artifactType)
        .sort();
      expect(kinds).toEqual(
        artifact.type === 'image'
          ? [
              'application/vnd.cyclonedx+json',
              'https://sigstore.dev/cosign/sign/v1',
              'https://slsa.dev/provenance/v1',
            ]
          : ['https://sigstore.dev/cosign/sign/v1', 'https://slsa.dev/provenance/v1'],
      );
      for (const entry of index.filter(
        (m) => m.artifactType === 'application/vnd.dev.sigstore.bundle.v0.3+json',
      )) {
        const bundle = JSON.parse((await referrerBytes(repository, entry.digest)).toString());
        verifier().verify(toSignedEntity(bundleFromJSON(bundle)), policy);
        const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
        expect(
          statement.subject.map((s: { digest: { sha256: string } }) => `sha256:${s.digest.sha256}`),
        ).toContain(artifact.digest);
      }
    }
  });

  it('fails verify naming a changed asset', async () => {
    const wheel = standin.assets.find((a) => a.name === 'os_vim_driver-1.0.0-py3-none-any.whl')!;
    const original = wheel.data;
    wheel.data = Buffer.concat([original, Buffer.from('tampered')]);
    try {
      const result = await verify('v1.0.0');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        /^FAILED {2}file os_vim_driver-1\.0\.0-py3-none-any\.whl: its sha256 is /m,
      );
      expect(result.stdout.match(/^FAILED/gm)).toHaveLength(1);
    } finally {
      wheel.data = original;
    }
  });

  it('fails verify naming an image re-pushed under the same tag, and a bundle for another digest', async () => {
    const image = manifest.artifacts.find((a) => a.type === 'image')!;
    const impostor = await pushTestImage(registry, IMAGE_REPO, '1.0.0');
    expect(impostor).not.toBe(image.digest);

    const tag = await verify('v1.0.0');
    expect(tag.code).toBe(1);
    expect(tag.stdout).toContain(
      `FAILED  image ${registry.host}/${IMAGE_REPO}:1.0.0: the registry now serves ${impostor}, not the ${image.digest} the release signed`,
    );
    const unsigned = await verify(`${registry.host}/${IMAGE_REPO}:1.0.0`);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toContain(
      `FAILED  image ${registry.host}/${IMAGE_REPO}@${impostor}: no signature referrer`,
    );

    // The genuine signature bundle (for the released digest) attached to the impostor.
    const genuine = (await referrers(IMAGE_REPO, image.digest!)).find(
      (m) => m.annotations?.['dev.sigstore.bundle.predicateType'] === 'https://sigstore.dev/cosign/sign/v1',
    )!;
    const client = createOciClient({
      host: registry.host,
      scheme: 'http',
      credentials: { username: REGISTRY_AUTH.user, password: REGISTRY_AUTH.password },
      fetch: createHttpClient({ env: {} }).request,
    });
    const subject = (await client.headManifest(IMAGE_REPO, impostor, [MEDIA_TYPES.ociManifest]))!;
    await attachReferrer(client, IMAGE_REPO, subject, {
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      bytes: await referrerBytes(IMAGE_REPO, genuine.digest),
      annotations: genuine.annotations!,
      title: 'copied.sigstore.json',
    });
    const copied = await verify(`${registry.host}/${IMAGE_REPO}:1.0.0`);
    expect(copied.code).toBe(1);
    expect(copied.stdout).toContain(
      `FAILED  image ${registry.host}/${IMAGE_REPO}@${impostor}: no valid signature: it signs ${image.digest}, not ${impostor}`,
    );
    // Put the released image back for what follows.
    const released = (await client.getManifest(IMAGE_REPO, image.digest!))!;
    await client.putManifest(IMAGE_REPO, '1.0.0', released.bytes, released.mediaType);
  });

  it('signs nothing in a dry run, and plans what it would sign', async () => {
    const before = { requests: sigstore.requests.length, tokens: actions.audiences.length };
    await commitAndPush(repo, 'feat: attach volumes', { 'osvimdriver/volumes.py': '' });
    const result = await runSemanticRelease(repo, { config, env, dryRun: true });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Release plan for v1.1.0');
    expect(result.output).toMatch(/sign {4}sign release-artifacts\/SHA256SUMS .*SHA256SUMS\.sigstore\.json/);
    expect(result.output).toMatch(/sign {4}identity: a GitHub Actions OIDC token \(audience sigstore\)/);
    expect(sigstore.requests).toHaveLength(before.requests);
    expect(actions.audiences).toHaveLength(before.tokens);
    await repo.git(['reset', '--quiet', '--hard', 'HEAD~1']);
    await repo.git(['push', '--quiet', '--force', 'origin', 'main']);
  });

  it('`publish --tag` signs only what is missing and leaves the GitHub release as it is', async () => {
    const image = manifest.artifacts.find((a) => a.type === 'image')!;
    const client = createOciClient({
      host: registry.host,
      scheme: 'http',
      credentials: { username: REGISTRY_AUTH.user, password: REGISTRY_AUTH.password },
      fetch: createHttpClient({ env: {} }).request,
    });
    const index = await referrers(IMAGE_REPO, image.digest!);
    const withoutSignature = index.filter(
      (m) => m.annotations?.['dev.sigstore.bundle.predicateType'] !== 'https://sigstore.dev/cosign/sign/v1',
    );
    await client.putManifest(
      IMAGE_REPO,
      image.digest!.replace(':', '-'),
      Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: withoutSignature }),
      ),
      MEDIA_TYPES.ociIndex,
    );
    const assetsBefore = standin
      .assetsOf('v1.0.0')
      .map((a) => `${a.name} ${sha256(a.data)}`)
      .sort();
    const certsBefore = sigstore.requests.filter((r) => r.path === '/api/v2/signingCert').length;

    const resumed = await runCli(['publish', '--tag', 'v1.0.0'], {
      cwd: repo.dir,
      env: semanticReleaseEnv(repo, env),
    });
    expect(resumed.code, resumed.output).toBe(0);
    expect(sigstore.requests.filter((r) => r.path === '/api/v2/signingCert')).toHaveLength(certsBefore + 1);
    expect((await referrers(IMAGE_REPO, image.digest!)).length).toBe(index.length);
    expect(
      standin
        .assetsOf('v1.0.0')
        .map((a) => `${a.name} ${sha256(a.data)}`)
        .sort(),
    ).toEqual(assetsBefore);
    const again = await verify('v1.0.0');
    expect(again.code, again.output).toBe(0);
  });
});
