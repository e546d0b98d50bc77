import { createHash } from 'node:crypto';
import type { Artifact } from '../core/manifest.js';
import { isStackError, stackError } from '../errors.js';
import type { ReleaseContext } from '../kind.js';
import { bundleBytes, SIGN_KIND } from './files.js';
import type { RegistryLocation } from './registries.js';
import {
  ANNOTATIONS,
  attachReferrer,
  BUNDLE_MEDIA_TYPE,
  CYCLONEDX_MEDIA_TYPE,
  listReferrers,
  referrerContent,
  referrersTag,
  type Descriptor,
} from './referrers.js';
import type { Signer } from './signer.js';
import {
  COSIGN_SIGN_PREDICATE,
  sha256Hex,
  signatureStatement,
  SLSA_PROVENANCE_PREDICATE,
  statementBytes,
  statementOf,
} from './statement.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Piece {
  /** `signature`, `provenance`, `SBOM`: for messages and the manifest record's name. */
  role: string;
  artifactType: string;
  predicateType?: string;
  /** Whether an existing referrer's content is this piece already. */
  matches(content: Buffer): boolean;
  make(): Promise<Buffer>;
}

/**
 * Attaches to one pushed image or chart (by its manifest digest) what it lacks of: a signature
 * (cosign's sign/v1 statement in a DSSE bundle), the release's provenance bundle, and its SBOM.
 * Existing referrers of the same digest are read first; one with the same content is kept.
 */
export async function signRegistryArtifact(
  ctx: ReleaseContext,
  signer: Signer,
  location: RegistryLocation,
  artifact: Artifact,
  input: { provenance: Record<string, unknown>; sbom: Buffer | undefined; epoch: number },
): Promise<Artifact[]> {
  const digest = artifact.digest!;
  const ref = `${artifact.name}@${digest}`;
  const { client, repository } = location;
  const fail = (action: string) => (error: unknown) => {
    if (isStackError(error)) throw error;
    throw stackError('ESIGNREGISTRY', { action, ref, reason: ctx.redactor.redact((error as Error).message) });
  };
  const subject = await client.headManifest(repository, digest).catch(fail('read the manifest'));
  if (!subject)
    throw stackError('ESIGNREGISTRY', {
      action: 'find the manifest',
      ref,
      reason: 'the registry does not have it',
    });
  const existing = await listReferrers(client, repository, digest).catch(fail('list the referrers'));
  const provenanceStatement = JSON.stringify(statementOf(input.provenance));
  const hex = sha256Hex(digest);
  const pieces: Piece[] = [
    {
      role: 'signature',
      artifactType: BUNDLE_MEDIA_TYPE,
      predicateType: COSIGN_SIGN_PREDICATE,
      matches: (content) =>
        statementOf(JSON.parse(content.toString('utf8')))?.subject[0]?.digest.sha256 === hex,
      make: async () =>
        bundleBytes(
          await signer.signStatement(statementBytes(signatureStatement(artifact.name, digest)), ref),
        ),
    },
    {
      role: 'provenance',
      artifactType: BUNDLE_MEDIA_TYPE,
      predicateType: SLSA_PROVENANCE_PREDICATE,
      matches: (content) =>
        JSON.stringify(statementOf(JSON.parse(content.toString('utf8')))) === provenanceStatement,
      make: async () => bundleBytes(input.provenance),
    },
    ...(input.sbom
      ? [
          {
            role: 'SBOM',
            artifactType: CYCLONEDX_MEDIA_TYPE,
            matches: (content: Buffer) => sha256(content) === sha256(input.sbom!),
            make: async () => input.sbom!,
          },
        ]
      : []),
  ];

  const records: Artifact[] = [];
  for (const piece of pieces) {
    const found = await findReferrer(existing.descriptors, piece, (d) =>
      referrerContent(client, repository, d),
    ).catch(fail(`read the ${piece.role} referrers`));
    let referrer = found;
    if (found)
      ctx.logger.log('%s already has its %s (referrer %s); not attaching it again', ref, piece.role, found);
    else {
      const bytes = await piece.make();
      const annotations: Record<string, string> = {
        ...(piece.predicateType
          ? { [ANNOTATIONS.content]: 'dsse-envelope', [ANNOTATIONS.predicateType]: piece.predicateType }
          : {}),
        [ANNOTATIONS.created]: new Date(input.epoch * 1000).toISOString(),
      };
      const title =
        piece.artifactType === BUNDLE_MEDIA_TYPE
          ? `sha256-${sha256(bytes)}.sigstore.json`
          : `sha256-${sha256(bytes)}.cdx.json`;
      const attached = await attachReferrer(client, repository, subject, {
        artifactType: piece.artifactType,
        bytes,
        annotations,
        title,
      }).catch(fail(`attach the ${piece.role}`));
      referrer = attached.digest;
      ctx.logger.log(
        'Pushed the %s of %s as a referrer %s (%s)',
        piece.role,
        ref,
        attached.digest,
        attached.via === 'api' ? 'referrers API' : `tag schema ${referrersTag(digest)}`,
      );
    }
    records.push({
      kind: SIGN_KIND,
      type: piece.artifactType === BUNDLE_MEDIA_TYPE ? 'sigstore-bundle' : 'sbom',
      name: `${piece.role} of ${artifact.name}`,
      refs: [`${location.name}@${referrer}`],
      digest: referrer!,
    });
  }
  return records;
}

async function findReferrer(
  descriptors: readonly Descriptor[],
  piece: Piece,
  read: (d: Descriptor) => Promise<{ bytes: Buffer } | undefined>,
): Promise<string | undefined> {
  const candidates = descriptors.filter(
    (d) =>
      d.artifactType === piece.artifactType &&
      (!piece.predicateType || d.annotations?.[ANNOTATIONS.predicateType] === piece.predicateType),
  );
  for (const candidate of candidates) {
    const content = await read(candidate);
    try {
      if (content && piece.matches(content.bytes)) return candidate.digest;
    } catch {
      // not JSON, or not a bundle: not ours to keep
    }
  }
  return undefined;
}
