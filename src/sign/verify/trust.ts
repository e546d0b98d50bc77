import { readFile } from 'node:fs/promises';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { getTrustedRoot } from '@sigstore/tuf';
import { toSignedEntity, toTrustMaterial, Verifier, type VerificationPolicy } from '@sigstore/verify';
import { stackError } from '../../errors.js';
import { messageDigestOf, statementOf, type Statement } from '../statement.js';

/**
 * The checks of `semantic-release-stack verify`: every bundle against a trusted root (the public
 * Sigstore one, fetched and checked through TUF, or a file) and a pinned identity — the
 * certificate's SAN and the OIDC issuer that vouched for it. A trusted root alone would accept
 * anything anyone signed with Sigstore.
 */
export interface Identity {
  /** Exact SAN, or a pattern (`/^https:\/\/github\.com\/acme\/.+$/`). */
  san: string | RegExp;
  issuer: string;
}

export interface BundleVerifier {
  /** A message-signature bundle over `data`: the signer's SAN, or throws why not. */
  blob(bundle: unknown, data: Buffer): string;
  /** A DSSE bundle: its verified statement, or throws why not. */
  statement(bundle: unknown): Statement;
}

export async function loadTrustedRoot(file: string | undefined): Promise<TrustedRoot> {
  try {
    if (file) return TrustedRoot.fromJSON(JSON.parse(await readFile(file, 'utf8')));
    return await getTrustedRoot();
  } catch (error) {
    throw stackError('EVERIFYSETUP', {
      target: 'anything',
      reason: file
        ? `the trusted root ${file} cannot be read: ${(error as Error).message}`
        : `the public trusted root could not be fetched through TUF: ${(error as Error).message}`,
    });
  }
}

export function bundleVerifier(root: TrustedRoot, identity: Identity): BundleVerifier {
  const verifier = new Verifier(toTrustMaterial(root));
  const policy: VerificationPolicy = {
    subjectAlternativeName: identity.san,
    extensions: { issuer: identity.issuer },
  };
  const parse = (bundle: unknown) => bundleFromJSON(bundle);
  return {
    blob(bundle, data) {
      const parsed = parse(bundle);
      if (messageDigestOf(bundle) === undefined) throw new Error('the bundle holds no message signature');
      return verifier.verify(toSignedEntity(parsed, data), policy).identity?.subjectAlternativeName ?? '';
    },
    statement(bundle) {
      verifier.verify(toSignedEntity(parse(bundle)), policy);
      const statement = statementOf(bundle);
      if (!statement) throw new Error('the bundle holds no in-toto statement');
      return statement;
    },
  };
}

/** `--identity` as given: `/…/` is a regular expression, anything else the exact SAN. */
export function parseIdentity(value: string): string | RegExp {
  const m = /^\/(.+)\/([a-z]*)$/.exec(value);
  return m ? new RegExp(m[1]!, m[2]) : value;
}

/** The release workflows of a GitHub repository: the default identity when none is given. */
export function workflowIdentity(server: string, owner: string, repo: string): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(
    `^${escape(server.replace(/\/+$/, ''))}/${escape(owner)}/${escape(repo)}/\\.github/workflows/[^@]+@refs/(heads|tags)/.+$`,
  );
}

/** Why a check failed, in one line. */
export const why = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
