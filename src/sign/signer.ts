import { createHash } from 'node:crypto';
import {
  bundleToJSON,
  toMessageSignatureBundle,
  type BundleWithMessageSignature,
  type SerializedBundle,
} from '@sigstore/bundle';
import { pem } from '@sigstore/core';
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  TSAWitness,
  type Artifact,
  type Signature,
  type Witness,
} from '@sigstore/sign';
import type { HttpFetch } from '../core/http.js';
import { isStackError, stackError } from '../errors.js';
import type { StepContext } from '../kind.js';
import type { SignConfig } from './config.js';
import { identityProvider } from './identity.js';

/** The media type of a DSSE payload that is an in-toto Statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface Signer {
  /** A message-signature bundle over `data` (its sha256 is the bundle's message digest). */
  signBlob(data: Buffer, what: string): Promise<SerializedBundle>;
  /** A DSSE bundle whose payload is the in-toto Statement `statement`. */
  signStatement(statement: Buffer, what: string): Promise<SerializedBundle>;
}

/**
 * Bundles made by @sigstore/sign: a Fulcio certificate for an ephemeral key (kept in memory by the
 * library, never written), the signature entered into Rekor through its v1 API (the public
 * instance's), and a timestamp from the TSA when one is configured. The Sigstore endpoints are
 * reached through the library's own fetch (make-fetch-happen), which takes HTTPS_PROXY/NO_PROXY
 * from the process environment.
 */
export function createSigner(config: SignConfig, ctx: StepContext, fetchImpl?: HttpFetch): Signer {
  const fetchOptions = { timeout: 60_000, retry: { retries: 3, factor: 2, minTimeout: 500 } };
  const signer = new FulcioSigner({
    identityProvider: identityProvider(ctx, fetchImpl),
    fulcioBaseURL: config.fulcioUrl,
    ...fetchOptions,
  });
  const witnesses: Witness[] = [
    new RekorWitness({
      rekorBaseURL: config.rekorUrl,
      majorApiVersion: 1,
      fetchOnConflict: true,
      ...fetchOptions,
    }),
  ];
  if (config.tsaUrl) witnesses.push(new TSAWitness({ tsaBaseURL: config.tsaUrl, ...fetchOptions }));
  const message = new V03MessageSignatureBundleBuilder({ signer, witnesses });
  const dsse = new DSSEBundleBuilder({ signer, witnesses });

  const run = async (what: string, make: () => Promise<Parameters<typeof bundleToJSON>[0]>) => {
    try {
      return bundleToJSON(await make());
    } catch (error) {
      if (isStackError(error)) throw ctx.redactor.redactError(error);
      throw stackError('ESIGNFAILED', { what, reason: ctx.redactor.redact(reasonOf(error)), config });
    }
  };
  return {
    signBlob: (data, what) => run(what, () => message.create({ data })),
    signStatement: (statement, what) =>
      run(what, () => dsse.create({ data: statement, type: IN_TOTO_PAYLOAD_TYPE })),
  };
}

/** The library's message with its causes (`error creating signing certificate - 400 …`). */
function reasonOf(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) {
      parts.push(e.message);
      e = (e as { cause?: unknown }).cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return [...new Set(parts)].join(': ');
}

/**
 * @sigstore/sign packages a message signature as a v0.2 bundle (an `x509CertificateChain`); the
 * v0.3 format this package writes everywhere holds the leaf `certificate` alone. Same library
 * function, asked for the v0.3 shape; the signing itself is the library's.
 */
class V03MessageSignatureBundleBuilder extends MessageSignatureBundleBuilder {
  protected override async package(
    artifact: Artifact,
    signature: Signature,
  ): Promise<BundleWithMessageSignature> {
    return toMessageSignatureBundle({
      digest: createHash('sha256').update(artifact.data).digest(),
      signature: signature.signature,
      ...(signature.key.$case === 'x509Certificate'
        ? { certificate: pem.toDER(signature.key.certificate) }
        : { keyHint: signature.key.hint ?? '' }),
      certificateChain: false,
    });
  }
}
