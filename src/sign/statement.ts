/**
 * in-toto Statements (v1) and what this package puts in them: cosign's image signature statement
 * (what `cosign sign` writes since v3) and the SLSA provenance statement (provenance.ts).
 */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
export const SLSA_PROVENANCE_PREDICATE = 'https://slsa.dev/provenance/v1';

export interface Subject {
  name: string;
  digest: { sha256: string };
}

export interface Statement {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: string;
  predicate: Record<string, unknown>;
}

/** `sha256:<hex>` → `<hex>`; undefined for another algorithm. */
export const sha256Hex = (digest: string): string | undefined => /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];

/** The statement `cosign sign` makes for an image: the manifest digest, an empty predicate. */
export function signatureStatement(name: string, digest: string): Statement {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name, digest: { sha256: sha256Hex(digest) ?? digest } }],
    predicateType: COSIGN_SIGN_PREDICATE,
    predicate: {},
  };
}

/** Canonical bytes of a statement: the same statement always signs the same payload. */
export const statementBytes = (statement: Statement): Buffer => Buffer.from(JSON.stringify(statement));

/** The statement in a DSSE bundle's payload; undefined when the bundle holds something else. */
export function statementOf(bundle: unknown): Statement | undefined {
  const envelope = (bundle as { dsseEnvelope?: { payload?: string; payloadType?: string } }).dsseEnvelope;
  if (!envelope?.payload) return undefined;
  try {
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Statement;
    return statement._type === STATEMENT_TYPE && Array.isArray(statement.subject) ? statement : undefined;
  } catch {
    return undefined;
  }
}

/** The sha256 (hex) a message-signature bundle signs; undefined for other bundles. */
export function messageDigestOf(bundle: unknown): string | undefined {
  const digest = (
    bundle as { messageSignature?: { messageDigest?: { algorithm?: string; digest?: string } } }
  ).messageSignature?.messageDigest;
  if (!digest?.digest || digest.algorithm !== 'SHA2_256') return undefined;
  return Buffer.from(digest.digest, 'base64').toString('hex');
}
