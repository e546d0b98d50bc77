/**
 * The Sigstore stand-in speaks the real protocols: @sigstore/sign makes message-signature and DSSE
 * bundles against it (Fulcio, Rekor v1, TSA over HTTP) and @sigstore/verify accepts them against
 * the trusted root built from the mock authorities' keys, pinning the identity of the token.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  TSAWitness,
} from '@sigstore/sign';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import {
  ACTIONS_ISSUER,
  canonicalDsseEntry,
  startActionsTokenStandin,
  startSigstore,
  type SigstoreStandin,
} from '../helpers/sigstore.js';

const SAN = 'https://github.com/acme/demo/.github/workflows/release.yml@refs/heads/main';
let sigstore: SigstoreStandin;

beforeAll(async () => {
  sigstore = await startSigstore();
});
afterAll(async () => sigstore?.stop());

function builders(token: string) {
  const signer = new FulcioSigner({
    identityProvider: { getToken: async () => token },
    fulcioBaseURL: sigstore.fulcioUrl,
  });
  const witnesses = [
    new RekorWitness({ rekorBaseURL: sigstore.rekorUrl, majorApiVersion: 1 }),
    new TSAWitness({ tsaBaseURL: sigstore.tsaUrl }),
  ];
  return {
    message: new MessageSignatureBundleBuilder({ signer, witnesses }),
    dsse: new DSSEBundleBuilder({ signer, witnesses }),
  };
}

const verifier = () => new Verifier(toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot)));

describe('the Sigstore stand-in', () => {
  it('signs a blob (hashedrekord) that @sigstore/verify accepts for the token identity only', async () => {
    const token = await sigstore.idToken({ sub: SAN });
    const data = Buffer.from('abc  file.whl\n');
    const bundle = await builders(token).message.create({ data });
    // Through JSON, as a bundle file is read back.
    const parsed = bundleFromJSON(JSON.parse(JSON.stringify(bundleToJSON(bundle))));
    const signer = verifier().verify(toSignedEntity(parsed, data), {
      subjectAlternativeName: SAN,
      extensions: { issuer: ACTIONS_ISSUER },
    });
    expect(signer.identity?.subjectAlternativeName).toBe(SAN);
    expect(parsed.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(1);
    expect(() =>
      verifier().verify(toSignedEntity(parsed, Buffer.from('other')), { subjectAlternativeName: SAN }),
    ).toThrow();
    expect(() =>
      verifier().verify(toSignedEntity(parsed, data), { subjectAlternativeName: `${SAN}x` }),
    ).toThrow(/identity|subject/i);
    expect(sigstore.requests.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/v2/signingCert', '/api/v1/log/entries', '/api/v1/timestamp']),
    );
  });

  it('signs a DSSE envelope whose dsse entry is logged in the form Rekor stores', async () => {
    const token = await sigstore.idToken({ sub: SAN });
    const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1' }));
    for (let i = 0; i < 3; i++) {
      const bundle = await builders(token).dsse.create({
        data: statement,
        type: 'application/vnd.in-toto+json',
      });
      const signer = verifier().verify(toSignedEntity(bundle), { subjectAlternativeName: SAN });
      expect(signer.identity?.extensions?.issuer).toBe(ACTIONS_ISSUER);
    }
    const dsse = sigstore.entries.filter((e) => e.kind === 'dsse');
    expect(dsse).toHaveLength(3);
    expect(Object.keys(dsse[0]!.spec as object).sort()).toEqual([
      'envelopeHash',
      'payloadHash',
      'signatures',
    ]);
  });

  it('rewrites only proposed dsse entries', () => {
    const hashed = { kind: 'hashedrekord', apiVersion: '0.0.1', spec: { data: {} } };
    expect(canonicalDsseEntry(hashed)).toBe(hashed);
    const envelope = JSON.stringify({
      payload: Buffer.from('p').toString('base64'),
      signatures: [{ sig: 'c2ln' }],
    });
    const stored = canonicalDsseEntry({
      kind: 'dsse',
      apiVersion: '0.0.1',
      spec: { proposedContent: { envelope, verifiers: ['a2V5'] } },
    });
    expect(stored.spec).toEqual({
      envelopeHash: { algorithm: 'sha256', value: createHash('sha256').update(envelope).digest('hex') },
      payloadHash: { algorithm: 'sha256', value: createHash('sha256').update('p').digest('hex') },
      signatures: [{ signature: 'c2ln', verifier: 'a2V5' }],
    });
  });

  it('serves an Actions ID token for the audience asked, only with the request token', async () => {
    const actions = await startActionsTokenStandin(sigstore, { sub: SAN });
    try {
      const url = `${actions.requestUrl}&audience=sigstore`;
      const refused = await fetch(url, { headers: { authorization: 'bearer wrong' } });
      expect(refused.status).toBe(401);
      const answer = await fetch(url, { headers: { authorization: `bearer ${actions.requestToken}` } });
      const { value } = (await answer.json()) as { value: string };
      const claims = JSON.parse(Buffer.from(value.split('.')[1]!, 'base64url').toString('utf8'));
      expect(claims).toMatchObject({ sub: SAN, aud: 'sigstore', iss: ACTIONS_ISSUER });
      expect(actions.audiences).toEqual(['sigstore']);
    } finally {
      await actions.stop();
    }
  });
});
