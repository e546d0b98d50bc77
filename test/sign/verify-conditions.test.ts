/**
 * `sign` in verifyConditions and the plan, through the plugin (composite and standalone): the
 * identity source checked read-only, with its own code for an Actions job without `id-token: write`,
 * all problems at once; the plan names what will be signed and where each bundle goes.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlugin } from '../../src/core/plugin.js';
import { KINDS, kindByEntry } from '../../src/kinds/index.js';
import { recordingLogger, srContext } from '../helpers/contexts.js';
import { startActionsTokenStandin, startSigstore, type SigstoreStandin } from '../helpers/sigstore.js';

const composite = () => createPlugin(KINDS as never, 'composite');
const docsOnly = () => createPlugin([kindByEntry('docs')] as never, 'standalone');
const docs = { dir: 'docs', name: 'demo' };
let root: string;
let sigstore: SigstoreStandin;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'srs-sign-check-'));
  await mkdir(path.join(root, 'docs'));
  await writeFile(path.join(root, 'docs/index.md'), '# Docs\n');
  sigstore = await startSigstore();
});
afterAll(async () => sigstore?.stop());

const errorsOf = async (run: Promise<unknown>) => {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) return [];
  return (error instanceof AggregateError ? error.errors : [error]) as Array<
    Error & { code: string; details: string }
  >;
};

describe('sign in verifyConditions', () => {
  it('gives an Actions job without id-token: write its own code and the workflow fix', async () => {
    const ctx = srContext({
      root,
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKFLOW_REF: 'acme/demo/.github/workflows/release.yml@refs/heads/main',
      },
    });
    const [error, ...rest] = await errorsOf(composite().verifyConditions({ docs, sign: true }, ctx));
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ code: 'ESIGNIDPERMISSION' });
    expect(error!.details).toContain('id-token: write');
    expect(error!.details).toContain('acme/demo/.github/workflows/release.yml@refs/heads/main');
  });

  it('reports no identity outside Actions, and every other problem with it', async () => {
    const ctx = srContext({ root });
    const errors = await errorsOf(
      composite().verifyConditions({ docs: { ...docs, dir: 'nope' }, sign: true }, ctx),
    );
    expect(errors.map((e) => e.code).sort()).toEqual(['EDOCSMISSING', 'ESIGNNOIDENTITY']);
  });

  it('refuses an expired token or one for another audience, without printing it', async () => {
    for (const [token, problem] of [
      [await sigstore.idToken({ sub: 'x', expiresIn: -60 }), /expired at/],
      [await sigstore.idToken({ sub: 'x', aud: 'pypi' }), /audience is pypi, not `sigstore`/],
      ['not-a-jwt-at-all', /not a JWT/],
    ] as const) {
      const ctx = srContext({ root, env: { SIGSTORE_ID_TOKEN: token } });
      const [error] = await errorsOf(docsOnly().verifyConditions({ ...docs, sign: true }, ctx));
      expect(error).toMatchObject({ code: 'ESIGNIDTOKEN' });
      expect(error!.message).toMatch(problem);
      expect(`${error!.message}${error!.details}`).not.toContain(token);
    }
  });

  it('checks the Actions variables without asking for a token, and accepts a good SIGSTORE_ID_TOKEN', async () => {
    const actions = await startActionsTokenStandin(sigstore, { sub: 'x' });
    try {
      const env = {
        GITHUB_ACTIONS: 'true',
        ACTIONS_ID_TOKEN_REQUEST_URL: actions.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: actions.requestToken,
      };
      await composite().verifyConditions({ docs, sign: true }, srContext({ root, env }));
      expect(actions.audiences).toEqual([]);
    } finally {
      await actions.stop();
    }
    const token = await sigstore.idToken({ sub: 'x' });
    await docsOnly().verifyConditions(
      { ...docs, sign: true },
      srContext({ root, env: { SIGSTORE_ID_TOKEN: token } }),
    );
  });

  it('validates the option', async () => {
    const ctx = srContext({ root, env: { SIGSTORE_ID_TOKEN: await sigstore.idToken({ sub: 'x' }) } });
    const errors = await errorsOf(
      composite().verifyConditions(
        { docs, sign: { fulcioURL: 'https://f.example', rekorUrl: 'ftp://x' } },
        ctx,
      ),
    );
    expect(errors.map((e) => [e.code, e.message])).toEqual(
      expect.arrayContaining([
        ['EUNKNOWNOPTION', 'Unknown option `sign.fulcioURL`.'],
        ['EINVALIDOPTION', expect.stringMatching(/`sign\.rekorUrl`: must be an http\(s\) URL/)],
      ]),
    );
    expect(errors.find((e) => e.code === 'EUNKNOWNOPTION')!.details).toContain('did you mean `fulcioUrl`');
  });
});

describe('sign in the plan', () => {
  it('lists what will be signed, attested and described, and where each bundle goes', async () => {
    const logger = recordingLogger();
    const token = await sigstore.idToken({ sub: 'x' });
    const ctx = srContext({ root, logger, version: '1.4.0', env: { SIGSTORE_ID_TOKEN: token } });
    await composite().verifyRelease({ docs, sign: { tsaUrl: 'https://tsa.example' } }, ctx);
    const plan = logger.text();
    expect(plan).toContain(
      'sign    identity: the OIDC token in SIGSTORE_ID_TOKEN → certificate from https://fulcio.sigstore.dev, entries in Rekor https://rekor.sigstore.dev, timestamps from https://tsa.example',
    );
    expect(plan).toContain(
      'sign    sign release-artifacts/SHA256SUMS (every file asset, the SBOMs too) → release-artifacts/SHA256SUMS.sigstore.json',
    );
    expect(plan).toContain('→ release-artifacts/provenance.sigstore.json');
    expect(plan).toContain('as OCI referrers (the referrers API, else the tag sha256-<digest>)');
    expect(plan).not.toContain(token);
  });
});
