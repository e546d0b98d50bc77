import { createHash } from 'node:crypto';
import { PROVENANCE_FILE, SIGNATURE_FILE } from '../files.js';
import type { Statement } from '../statement.js';
import { failed, ok, type Verdict } from './report.js';
import { why, type BundleVerifier } from './trust.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export interface FileSet {
  sums: Buffer | undefined;
  sumsBundle: unknown;
  provenanceBundle: unknown;
  read(name: string): Promise<Buffer | undefined>;
  /** Check only this file of SHA256SUMS (a `verify <file>`). */
  only?: string;
  /** The tag the provenance must be for. */
  tag?: string;
  /** A lone file checked against its SHA256SUMS: no provenance next to it is no failure. */
  provenanceOptional?: boolean;
}

/** `sha256sum` lines → name → hex. */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

/**
 * The release's files: SHA256SUMS signed by the pinned identity, the provenance signed by it too (for
 * this tag), and each file's bytes matching both.
 */
export async function verifyFiles(
  verifier: BundleVerifier,
  set: FileSet,
): Promise<{ verdicts: Verdict[]; provenance: Statement | undefined }> {
  const verdicts: Verdict[] = [];
  let sums = new Map<string, string>();
  if (!set.sums) verdicts.push(failed('checksums', 'SHA256SUMS', 'missing'));
  else if (!set.sumsBundle) verdicts.push(failed('checksums', 'SHA256SUMS', `${SIGNATURE_FILE} is missing`));
  else
    try {
      const san = verifier.blob(set.sumsBundle, set.sums);
      sums = parseSums(set.sums.toString('utf8'));
      verdicts.push(ok('checksums', 'SHA256SUMS', `signed by ${san} (${sums.size} files)`));
    } catch (error) {
      verdicts.push(failed('checksums', 'SHA256SUMS', `${SIGNATURE_FILE} does not verify: ${why(error)}`));
    }

  let provenance: Statement | undefined;
  if (!set.provenanceBundle) {
    if (!set.provenanceOptional) verdicts.push(failed('provenance', PROVENANCE_FILE, 'missing'));
  } else
    try {
      provenance = verifier.statement(set.provenanceBundle);
      const ref = (
        provenance.predicate.buildDefinition as { externalParameters?: { ref?: string } } | undefined
      )?.externalParameters?.ref;
      if (set.tag && ref !== `refs/tags/${set.tag}`)
        throw new Error(`it is the provenance of ${ref ?? 'another release'}`);
      verdicts.push(
        ok('provenance', PROVENANCE_FILE, `SLSA v1 for ${ref}, ${provenance.subject.length} subjects`),
      );
    } catch (error) {
      provenance = undefined;
      verdicts.push(failed('provenance', PROVENANCE_FILE, why(error)));
    }

  const names = set.only ? [set.only] : [...sums.keys()];
  for (const name of names) {
    const expected = sums.get(name);
    if (!expected) {
      verdicts.push(
        failed('file', name, sums.size ? 'not listed in SHA256SUMS' : 'no verified SHA256SUMS lists it'),
      );
      continue;
    }
    const bytes = await set.read(name);
    if (!bytes) {
      verdicts.push(failed('file', name, 'missing'));
      continue;
    }
    const actual = sha256(bytes);
    if (actual !== expected)
      verdicts.push(failed('file', name, `its sha256 is ${actual}, SHA256SUMS signed ${expected}`));
    else if (provenance && !provenance.subject.some((s) => s.name === name && s.digest.sha256 === actual))
      verdicts.push(failed('file', name, 'the provenance does not name it with this sha256'));
    else verdicts.push(ok('file', name, `sha256 ${actual} signed${provenance ? ', in the provenance' : ''}`));
  }
  return { verdicts, provenance };
}
