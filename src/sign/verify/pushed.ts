import { createHash } from 'node:crypto';
import type { RegistryLocation } from '../registries.js';
import { parseReference } from '../registries.js';
import {
  BUNDLE_MEDIA_TYPE,
  CYCLONEDX_MEDIA_TYPE,
  listReferrers,
  referrerContent,
  type Descriptor,
} from '../referrers.js';
import { COSIGN_SIGN_PREDICATE, sha256Hex, SLSA_PROVENANCE_PREDICATE, type Statement } from '../statement.js';
import { failed, ok, type Verdict } from './report.js';
import { why, type BundleVerifier } from './trust.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * An image or chart in its registry: the digest its tag holds now (and, for a release, that it is
 * the digest the release signed), a valid signature for that digest, the provenance naming it, and
 * for an image its SBOM, covered by the provenance.
 */
export async function verifyPushed(
  verifier: BundleVerifier,
  location: RegistryLocation,
  what: 'image' | 'chart',
  ref: string,
  signed?: string,
): Promise<Verdict[]> {
  const { client, repository } = location;
  const parsed = parseReference(ref);
  let digest = parsed?.digest;
  try {
    if (!digest) digest = (await client.headManifest(repository, parsed?.tag ?? 'latest'))?.digest;
  } catch (error) {
    return [failed(what, ref, `the registry cannot be read: ${why(error)}`)];
  }
  if (!digest) return [failed(what, ref, 'the registry does not have it')];
  if (signed && digest !== signed)
    return [failed(what, ref, `the registry now serves ${digest}, not the ${signed} the release signed`)];
  const hex = sha256Hex(digest);
  const verdicts: Verdict[] = [];
  let referrers: Descriptor[];
  try {
    referrers = (await listReferrers(client, repository, digest)).descriptors;
  } catch (error) {
    return [failed(what, ref, `its referrers cannot be read: ${why(error)}`)];
  }
  const contents = async (filter: (d: Descriptor) => boolean) =>
    Promise.all(
      referrers.filter(filter).map(async (d) => (await referrerContent(client, repository, d))?.bytes),
    );
  const bundles = (predicate: string) =>
    contents(
      (d) =>
        d.artifactType === BUNDLE_MEDIA_TYPE &&
        (d.annotations?.['dev.sigstore.bundle.predicateType'] ?? predicate) === predicate,
    );
  const bare = ref.replace(/@sha256:.*$/, '');
  const at = `${parsed?.tag ? bare.slice(0, -(parsed.tag.length + 1)) : bare}@${digest}`;

  const signatures = await bundles(COSIGN_SIGN_PREDICATE);
  const problems: string[] = [];
  let signedBy: string | undefined;
  for (const bytes of signatures) {
    try {
      const statement = verifier.statement(JSON.parse(bytes!.toString('utf8')));
      if (statement.predicateType !== COSIGN_SIGN_PREDICATE)
        throw new Error(`it attests ${statement.predicateType}`);
      const other = statement.subject.find((s) => s.digest.sha256 !== hex);
      if (other || !statement.subject.length)
        throw new Error(`it signs sha256:${other?.digest.sha256 ?? '(nothing)'}, not ${digest}`);
      signedBy = 'signature verified';
    } catch (error) {
      problems.push(why(error));
    }
  }
  verdicts.push(
    signedBy
      ? ok(what, at, 'signature verified (identity and digest)')
      : failed(
          what,
          at,
          signatures.length ? `no valid signature: ${problems.join('; ')}` : 'no signature referrer',
        ),
  );

  let provenance: Statement | undefined;
  const provenanceProblems: string[] = [];
  for (const bytes of await bundles(SLSA_PROVENANCE_PREDICATE)) {
    try {
      const statement = verifier.statement(JSON.parse(bytes!.toString('utf8')));
      if (!statement.subject.some((s) => s.digest.sha256 === hex))
        throw new Error(`it does not name ${digest}`);
      provenance = statement;
    } catch (error) {
      provenanceProblems.push(why(error));
    }
  }
  verdicts.push(
    provenance
      ? ok('provenance', at, `SLSA v1, ${provenance.subject.length} subjects, this digest among them`)
      : failed(
          'provenance',
          at,
          provenanceProblems.length ? provenanceProblems.join('; ') : 'no provenance referrer',
        ),
  );

  if (what === 'image') {
    const sboms = await contents((d) => d.artifactType === CYCLONEDX_MEDIA_TYPE);
    const covered = sboms.find((b) => b && provenance?.subject.some((s) => s.digest.sha256 === sha256(b)));
    verdicts.push(
      covered
        ? ok(
            'sbom',
            at,
            `CycloneDX, ${(JSON.parse(covered.toString('utf8')) as { components?: unknown[] }).components?.length ?? 0} components, covered by the provenance`,
          )
        : failed(
            'sbom',
            at,
            sboms.length ? 'its SBOM is not among the provenance subjects' : 'no SBOM referrer',
          ),
    );
  }
  return verdicts;
}
