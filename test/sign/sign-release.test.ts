/**
 * The publish-time signing step against real services: Debian's docker-registry 2.8 (no referrers
 * API, so the tag schema) and the Sigstore stand-in. What it writes is checked independently: every
 * bundle with @sigstore/verify against the stand-in's trusted root, the referrers read through the
 * registry API, the SBOMs' packages; then a second run must sign nothing and attach nothing.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { releaseContext } from '../../src/core/context.js';
import { saveManifest, type Manifest } from '../../src/core/manifest.js';
import { artifactTypeOrder } from '../../src/kind.js';
import { KINDS } from '../../src/kinds/index.js';
import type { ReleaseContext } from '../../src/kind.js';
import { resolveSignConfig, type SignConfig } from '../../src/sign/config.js';
import { signRelease } from '../../src/sign/release.js';
import { verifyCommand } from '../../src/sign/verify/command.js';
import { recordingLogger, srContext, type RecordingLogger } from '../helpers/contexts.js';
import { getBlob, getManifest, startRegistry, type Registry } from '../helpers/registry.js';
import { ACTIONS_ISSUER, startSigstore, type SigstoreStandin } from '../helpers/sigstore.js';
import { pushTestImage, writeWheel } from './fixtures.js';

const SAN = 'https://github.com/acme/demo/.github/workflows/release.yml@refs/heads/main';
const REPO = 'acme/demo';
let sigstore: SigstoreStandin;
let registry: Registry;
let root: string;
let token: string;
let config: SignConfig;
let imageDigest: string;
let manifest: Manifest;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function context(logger: RecordingLogger): ReleaseContext {
  return releaseContext(
    srContext({
      root,
      logger,
      env: { SIGSTORE_ID_TOKEN: token, SOURCE_DATE_EPOCH: '1700000000' },
      version: '1.4.0',
      gitHead: 'a'.repeat(40),
      repositoryUrl: 'https://github.com/acme/demo.git',
    }),
    {},
  );
}

beforeAll(async () => {
  sigstore = await startSigstore();
  registry = await startRegistry();
  root = await mkdtemp(path.join(tmpdir(), 'srs-sign-'));
  token = await sigstore.idToken({ sub: SAN });
  config = resolveSignConfig({
    fulcioUrl: sigstore.fulcioUrl,
    rekorUrl: sigstore.rekorUrl,
    tsaUrl: sigstore.tsaUrl,
  }).config!;
  imageDigest = await pushTestImage(registry, REPO, '1.4.0');
  const wheel = await writeWheel(root);
  manifest = {
    schema: 1,
    version: '1.4.0',
    gitTag: 'v1.4.0',
    gitHead: 'a'.repeat(40),
    versions: {} as Manifest['versions'],
    fields: [],
    artifacts: [
      { kind: 'python', type: 'wheel', name: path.basename(wheel.path), ...wheel },
      {
        kind: 'docker',
        type: 'image',
        name: `${registry.host}/${REPO}`,
        refs: [`${registry.host}/${REPO}:1.4.0`],
        digest: imageDigest,
      },
    ],
  };
  await saveManifest(path.join(root, 'release-artifacts'), manifest, artifactTypeOrder(KINDS));
});

afterAll(async () => {
  await sigstore?.stop();
  await registry?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

const verifier = () => new Verifier(toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot)));
const policy = { subjectAlternativeName: SAN, extensions: { issuer: ACTIONS_ISSUER } };
const artifactsFile = (name: string) => readFile(path.join(root, 'release-artifacts', name));

async function referrersIndex() {
  const index = await getManifest(registry, REPO, imageDigest.replace(':', '-'));
  expect(index.status).toBe(200);
  return (
    (index.json!.manifests as Array<{
      digest: string;
      artifactType: string;
      annotations: Record<string, string>;
    }>) ?? []
  );
}

describe.sequential('signing a release (publish step)', () => {
  it('writes SBOMs, provenance and the SHA256SUMS signature, all verifiable', async () => {
    const logger = recordingLogger();
    const records = await signRelease(config, context(logger), manifest, []);
    const files = (await readdir(path.join(root, 'release-artifacts'))).sort();
    expect(files).toEqual(
      [
        'SHA256SUMS',
        'SHA256SUMS.sigstore.json',
        'demo-1.4.0-image.cdx.json',
        'demo-service-1.4.0.cdx.json',
        'demo_service-1.4.0-py3-none-any.whl',
        'manifest.json',
        'provenance.sigstore.json',
      ].sort(),
    );

    // SHA256SUMS lists the SBOMs, not the bundles; its bundle verifies for the token's identity.
    const sums = await artifactsFile('SHA256SUMS');
    expect(sums.toString()).toMatch(/ {2}demo-service-1\.4\.0\.cdx\.json\n/);
    expect(sums.toString()).not.toContain('sigstore.json');
    for (const name of ['SHA256SUMS.sigstore.json', 'provenance.sigstore.json'])
      expect(JSON.parse((await artifactsFile(name)).toString()).mediaType, name).toBe(
        'application/vnd.dev.sigstore.bundle.v0.3+json',
      );
    const sumsBundle = bundleFromJSON(
      JSON.parse((await artifactsFile('SHA256SUMS.sigstore.json')).toString()),
    );
    expect(verifier().verify(toSignedEntity(sumsBundle, sums), policy).identity?.subjectAlternativeName).toBe(
      SAN,
    );

    // The provenance: every artifact by sha256 or digest.
    const provenance = bundleFromJSON(
      JSON.parse((await artifactsFile('provenance.sigstore.json')).toString()),
    );
    verifier().verify(toSignedEntity(provenance), policy);
    const statement = JSON.parse(
      Buffer.from(
        JSON.parse((await artifactsFile('provenance.sigstore.json')).toString()).dsseEnvelope.payload,
        'base64',
      ).toString(),
    );
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1');
    const subjects = Object.fromEntries(
      (statement.subject as Array<{ name: string; digest: { sha256: string } }>).map((s) => [
        s.name,
        s.digest.sha256,
      ]),
    );
    expect(subjects['demo_service-1.4.0-py3-none-any.whl']).toBe(manifest.artifacts[0]!.sha256);
    expect(subjects['demo-service-1.4.0.cdx.json']).toBe(
      sha256(await artifactsFile('demo-service-1.4.0.cdx.json')),
    );
    expect(subjects[`${registry.host}/${REPO}`]).toBe(imageDigest.slice('sha256:'.length));
    expect(statement.predicate.buildDefinition.resolvedDependencies[0]).toEqual({
      uri: 'git+https://github.com/acme/demo@refs/heads/main',
      digest: { gitCommit: 'a'.repeat(40) },
    });

    // The manifest lists the new files with their sha256, and where the referrers went.
    const saved = JSON.parse((await artifactsFile('manifest.json')).toString()) as Manifest;
    for (const name of [
      'SHA256SUMS.sigstore.json',
      'provenance.sigstore.json',
      'demo-1.4.0-image.cdx.json',
    ]) {
      const entry = saved.artifacts.find((a) => a.name === name);
      expect(entry?.sha256, name).toBe(sha256(await artifactsFile(name)));
    }
    // Only files: referrers are not recorded (a re-made one may get another digest).
    expect(records.map((r) => r.name).sort()).toEqual(
      [
        'SHA256SUMS.sigstore.json',
        'demo-1.4.0-image.cdx.json',
        'demo-service-1.4.0.cdx.json',
        'provenance.sigstore.json',
      ].sort(),
    );
    expect(logger.text()).toMatch(
      /Pushed the signature of .* as a referrer sha256:[0-9a-f]{64} \(tag schema sha256-/,
    );
    // Nothing holds the token.
    for (const file of files)
      expect((await artifactsFile(file)).toString('latin1')).not.toContain(token.split('.')[2]);
    expect(logger.text()).not.toContain(token);
  });

  it('describes the wheel and the image (layers, whiteouts, dpkg, apk, dist-info)', async () => {
    const wheel = JSON.parse((await artifactsFile('demo-service-1.4.0.cdx.json')).toString());
    expect(wheel).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1 });
    expect(wheel.metadata.component).toMatchObject({
      name: 'demo-service',
      version: '1.4.0',
      purl: 'pkg:pypi/demo-service@1.4.0',
      licenses: [{ license: { name: 'MIT' } }],
    });
    expect(wheel.components.map((c: { purl: string }) => c.purl).sort()).toEqual([
      'pkg:pypi/pyyaml',
      'pkg:pypi/requests',
    ]);
    expect(wheel.metadata.timestamp).toBe('2023-11-14T22:13:20Z');

    const image = JSON.parse((await artifactsFile('demo-1.4.0-image.cdx.json')).toString());
    expect(image.metadata.component).toMatchObject({ type: 'container', version: '1.4.0' });
    expect(image.components.map((c: { purl: string }) => c.purl).sort()).toEqual(
      [
        'pkg:apk/debian/busybox@1.36.1-r15?arch=x86_64&distro=debian-12',
        'pkg:apk/debian/musl@1.2.4-r2?arch=x86_64&distro=debian-12',
        'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
        'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12',
        'pkg:pypi/demo-service@1.4.0',
        'pkg:pypi/requests@2.31.0',
      ].sort(),
    );
  });

  it('attaches signature, provenance and SBOM to the image through the tag schema', async () => {
    const index = await referrersIndex();
    expect(
      index.map((m) => m.annotations['dev.sigstore.bundle.predicateType'] ?? m.artifactType).sort(),
    ).toEqual(
      [
        'application/vnd.cyclonedx+json',
        'https://sigstore.dev/cosign/sign/v1',
        'https://slsa.dev/provenance/v1',
      ].sort(),
    );
    for (const entry of index) {
      const referrer = await getManifest(registry, REPO, entry.digest);
      const body = referrer.json as {
        subject: { digest: string };
        artifactType: string;
        layers: Array<{ digest: string }>;
      };
      expect(body.subject.digest).toBe(imageDigest);
      expect(body.artifactType).toBe(entry.artifactType);
      const content = await getBlob(registry, REPO, body.layers[0]!.digest);
      if (entry.artifactType === 'application/vnd.cyclonedx+json') {
        expect(content.equals(await artifactsFile('demo-1.4.0-image.cdx.json'))).toBe(true);
        continue;
      }
      const bundle = bundleFromJSON(JSON.parse(content.toString()));
      verifier().verify(toSignedEntity(bundle), policy);
      const statement = JSON.parse(
        Buffer.from(JSON.parse(content.toString()).dsseEnvelope.payload, 'base64').toString(),
      );
      const names = (statement.subject as Array<{ digest: { sha256: string } }>).map((s) => s.digest.sha256);
      expect(names).toContain(imageDigest.slice('sha256:'.length));
    }
  });

  it('signs nothing and attaches nothing again on a second run', async () => {
    const before = {
      certs: sigstore.requests.filter((r) => r.path === '/api/v2/signingCert').length,
      bundle: await artifactsFile('SHA256SUMS.sigstore.json'),
      provenance: await artifactsFile('provenance.sigstore.json'),
      index: await referrersIndex(),
    };
    const logger = recordingLogger();
    await signRelease(config, context(logger), manifest, []);
    expect(sigstore.requests.filter((r) => r.path === '/api/v2/signingCert')).toHaveLength(before.certs);
    expect((await artifactsFile('SHA256SUMS.sigstore.json')).equals(before.bundle)).toBe(true);
    expect((await artifactsFile('provenance.sigstore.json')).equals(before.provenance)).toBe(true);
    expect(await referrersIndex()).toEqual(before.index);
    expect(logger.text()).toMatch(/already has its signature/);
    expect(logger.text()).not.toMatch(/Pushed|Signed/);
  });

  it('verifies a file next to its SHA256SUMS with `verify <file>`, and names a changed one', async () => {
    const rootFile = path.join(root, 'trusted_root.json');
    await sigstore.writeTrustedRoot(rootFile);
    const run = async (target: string, identity = SAN) => {
      let stdout = '';
      const code = await verifyCommand([target, '--trusted-root', rootFile, '--identity', identity], {
        cwd: root,
        env: {},
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
      });
      return { code, stdout };
    };
    const wheel = 'release-artifacts/demo_service-1.4.0-py3-none-any.whl';
    const good = await run(wheel);
    expect(good.code, good.stdout).toBe(0);
    expect(good.stdout).toMatch(
      /^ok {6}file demo_service-1\.4\.0-py3-none-any\.whl: sha256 [0-9a-f]{64} signed, in the provenance$/m,
    );
    expect((await run(wheel, '/^https:\\/\\/github\\.com\\/acme\\//')).code).toBe(0);
    expect((await run(wheel, 'https://github.com/someone/else')).code).toBe(1);

    const copy = path.join(root, 'release-artifacts', 'demo-service-1.4.0.cdx.json');
    const original = await readFile(copy);
    await writeFile(copy, Buffer.concat([original, Buffer.from(' ')]));
    try {
      const bad = await run('release-artifacts/demo-service-1.4.0.cdx.json');
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(
        /^FAILED {2}file demo-service-1\.4\.0\.cdx\.json: its sha256 is [0-9a-f]{64}, SHA256SUMS signed/m,
      );
    } finally {
      await writeFile(copy, original);
    }
  });
});
