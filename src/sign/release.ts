import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HttpFetch } from '../core/http.js';
import { releaseEpoch } from '../core/epoch.js';
import {
  CHECKSUMS_FILE,
  mergeArtifacts,
  saveManifest,
  type Artifact,
  type Manifest,
} from '../core/manifest.js';
import { artifactTypeOrder, type ReleaseContext } from '../kind.js';
import { KINDS } from '../kinds/index.js';
import type { SignConfig } from './config.js';
import { bundleBytes, PROVENANCE_FILE, readJson, SIGNATURE_FILE, writeArtifactFile } from './files.js';
import { packageVersion, provenanceStatement, publicOptions } from './provenance.js';
import { registryFor, type ActiveConfig } from './registries.js';
import { signRegistryArtifact } from './registry-signing.js';
import { cdxBytes } from './sbom/cyclonedx.js';
import { imageSbomFor } from './sbom/image-artifact.js';
import { wheelSbom } from './sbom/wheel.js';
import { createSigner, type Signer } from './signer.js';
import { messageDigestOf, statementBytes, statementOf } from './statement.js';

export interface SignDeps {
  fetch?: HttpFetch;
  /** A signer other than the Sigstore one (tests of the surrounding steps). */
  signer?: Signer;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * The publish-time part of `sign`, after every kind has published and before the GitHub release
 * (which attaches what this writes): SBOMs of the wheel(s) and image(s), the SLSA provenance of
 * every artifact, the signature of SHA256SUMS, and the signature, provenance and SBOM of each
 * pushed image and chart as OCI referrers. Each piece is first looked for — a bundle in
 * release-artifacts/ for the same content, a referrer of the same digest in the registry — and
 * made only when missing, so a re-run or `publish --tag` signs what is missing and nothing twice.
 */
export async function signRelease(
  config: SignConfig,
  ctx: ReleaseContext,
  manifest: Manifest,
  active: readonly ActiveConfig[],
  deps: SignDeps = {},
): Promise<Artifact[]> {
  // semantic-release moves gitHead to @semantic-release/git's commit after prepare; the artifacts
  // were built from the commit the manifest records, and a resumed release only knows that one.
  ctx = { ...ctx, release: { ...ctx.release, gitHead: manifest.gitHead } };
  const signer = deps.signer ?? createSigner(config, ctx, deps.fetch);
  const registries = registryFor(active, ctx, deps.fetch);
  const tool = { name: 'semantic-release-stack', version: packageVersion() };
  const epoch = await releaseEpoch(ctx);
  const record = async (artifacts: Artifact[]) => {
    mergeArtifacts(manifest, artifacts);
    await saveManifest(ctx.artifactsDir, manifest, artifactTypeOrder(KINDS));
  };

  // 1. SBOMs: files first, so SHA256SUMS and the provenance cover them.
  const sboms = new Map<string, Buffer>();
  for (const wheel of manifest.artifacts.filter((a) => a.type === 'wheel' && a.path && a.sha256)) {
    const sbom = await wheelSbom(path.resolve(ctx.root, wheel.path!), wheel.sha256!, tool, epoch);
    if (!sbom) {
      ctx.logger.warn('No METADATA in %s: no SBOM for it', wheel.path);
      continue;
    }
    const file = await writeArtifactFile(
      ctx,
      `${sbom.name}-${sbom.version}.cdx.json`,
      'sbom',
      cdxBytes(sbom.document),
    );
    await record([file]);
    ctx.logger.log('Described %s in %s (CycloneDX 1.6)', path.basename(wheel.path!), file.path);
  }
  const pushed = manifest.artifacts.filter((a) => (a.type === 'image' || a.type === 'chart-oci') && a.digest);
  for (const image of pushed.filter((a) => a.type === 'image')) {
    const location = await registries(image);
    if (!location) continue;
    const sbom = await imageSbomFor(image, location, ctx, tool, epoch);
    const file = await writeArtifactFile(ctx, sbom.file, 'sbom', sbom.bytes);
    sboms.set(image.digest!, sbom.bytes);
    await record([file]);
    ctx.logger.log('Described %s@%s in %s (%d packages)', image.name, image.digest, file.path, sbom.packages);
  }

  // 2. Provenance of every artifact, kept as a GitHub release asset and attached to each image/chart.
  const statement = provenanceStatement(ctx, manifest, publicOptions(active, ctx));
  const provenanceFile = path.join(ctx.artifactsDir, PROVENANCE_FILE);
  let provenance = await readJson(provenanceFile);
  if (provenance && JSON.stringify(statementOf(provenance)) === JSON.stringify(statement)) {
    ctx.logger.log('%s already attests these %d artifacts', PROVENANCE_FILE, statement.subject.length);
  } else {
    provenance = await signer.signStatement(statementBytes(statement), 'the SLSA provenance');
    ctx.logger.log('Signed the SLSA provenance of %d artifacts', statement.subject.length);
  }
  await record([await writeArtifactFile(ctx, PROVENANCE_FILE, 'sigstore-bundle', bundleBytes(provenance))]);

  // 3. SHA256SUMS, which lists every file asset (the SBOMs included).
  const sums = await readFile(path.join(ctx.artifactsDir, CHECKSUMS_FILE));
  const signatureFile = path.join(ctx.artifactsDir, SIGNATURE_FILE);
  let signature = await readJson(signatureFile);
  if (signature && messageDigestOf(signature) === sha256(sums)) {
    ctx.logger.log('%s already signs this %s', SIGNATURE_FILE, CHECKSUMS_FILE);
  } else {
    signature = await signer.signBlob(sums, CHECKSUMS_FILE);
    ctx.logger.log('Signed %s (sha256:%s)', CHECKSUMS_FILE, sha256(sums));
  }
  await record([await writeArtifactFile(ctx, SIGNATURE_FILE, 'sigstore-bundle', bundleBytes(signature))]);

  // 4. The registries: a signature, the provenance and (images) the SBOM per pushed digest. They are
  // not recorded in manifest.json: a referrer re-made by a resumed release may get another digest,
  // and the manifest attached to the GitHub release must stay the same bytes.
  for (const artifact of pushed) {
    const location = await registries(artifact);
    if (!location) continue;
    await signRegistryArtifact(ctx, signer, location, artifact, {
      provenance: provenance as Record<string, unknown>,
      sbom: sboms.get(artifact.digest!),
      epoch,
    });
  }
  return manifest.artifacts.filter((a) => a.kind === 'sign');
}
