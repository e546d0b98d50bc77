import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeStepContext, recordingLogger } from '../../../test/helpers/contexts.js';
import { OidcStandin } from '../../../test/helpers/oidc-standin.js';
import { PypiStandin } from '../../../test/helpers/pypi-standin.js';
import type { StackError } from '../../errors.js';
import {
  checkTrustedPublishing,
  exchangeOrigin,
  idTokenProblem,
  mintUploadToken,
} from './trusted-publishing.js';
import { jwtClaims } from '../../core/jwt.js';

const noWait = { sleep: async () => {}, random: () => 0.5 };
const oidc = new OidcStandin({ alg: 'ES256', repository: 'acme/demo', workflow: 'release.yml' });
let pypi: PypiStandin;

beforeAll(async () => {
  await oidc.start();
});
beforeEach(async () => {
  await pypi?.stop();
  pypi = new PypiStandin({
    trustedPublishing: {
      issuer: oidc.issuer,
      key: oidc.publicKey,
      publishers: [{ repository: 'acme/demo', workflow: 'release.yml', projects: ['demo'] }],
    },
  });
  await pypi.start();
});
afterAll(async () => {
  await pypi?.stop();
  await oidc.stop();
});

const context = (env: Record<string, string>) => {
  const logger = recordingLogger();
  return { logger, ctx: { ...fakeStepContext({ root: '/repo', logger, env }), tag: 'v1.0.0' } };
};

describe('exchangeOrigin', () => {
  it('mints PyPI tokens at pypi.org, TestPyPI at test.pypi.org, others at their origin, http only on loopback', () => {
    expect(exchangeOrigin('https://upload.pypi.org/legacy/')).toEqual({ origin: 'https://pypi.org' });
    expect(exchangeOrigin('https://test.pypi.org/legacy/')).toEqual({ origin: 'https://test.pypi.org' });
    expect(exchangeOrigin('https://pkgs.example.com:8443/pypi/legacy/')).toEqual({
      origin: 'https://pkgs.example.com:8443',
    });
    expect(exchangeOrigin('http://127.0.0.1:8080/legacy/')).toEqual({ origin: 'http://127.0.0.1:8080' });
    expect(exchangeOrigin('http://[::1]:8080/legacy/')).toEqual({ origin: 'http://[::1]:8080' });
    expect(exchangeOrigin('http://pkgs.example.com/legacy/')).toEqual({
      problem: expect.stringContaining('plain HTTP'),
    });
  });
});

describe('ready ID tokens', () => {
  it('reads claims without trusting them, and tells a wrong audience or an expired token', () => {
    const token = oidc.issue('pypi');
    expect(jwtClaims(token)).toMatchObject({ aud: 'pypi', repository: 'acme/demo' });
    expect(jwtClaims('opaque')).toBeUndefined();
    expect(idTokenProblem(token, 'pypi')).toBeUndefined();
    expect(idTokenProblem(token, 'testpypi')).toBe(
      '`PYPI_ID_TOKEN` is for the audience "pypi", not `testpypi`',
    );
    expect(idTokenProblem(oidc.issue('pypi', { exp: 100 }), 'pypi')).toBe('`PYPI_ID_TOKEN` has expired');
    expect(idTokenProblem('opaque', 'pypi')).toBe('`PYPI_ID_TOKEN` is not a JWT');
  });
});

describe('checkTrustedPublishing (verifyConditions)', () => {
  it('asks only for the audience: nothing is minted', async () => {
    const { ctx, logger } = context(oidc.env());
    expect(await checkTrustedPublishing(pypi.uploadUrl, 'GitHub Actions', ctx, noWait)).toEqual([]);
    expect(pypi.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /_/oidc/audience']);
    expect(oidc.requests).toEqual([]);
    expect(logger.text()).toContain(`${pypi.url} offers Trusted Publishing (audience pypi)`);
  });

  it('refuses an index without Trusted Publishing, and a ready token for another audience', async () => {
    const off = new PypiStandin();
    await off.start();
    try {
      const { ctx } = context({ PYPI_ID_TOKEN: oidc.issue('pypi') });
      const [error] = (await checkTrustedPublishing(
        off.uploadUrl,
        'PYPI_ID_TOKEN',
        ctx,
        noWait,
      )) as StackError[];
      expect(error?.code).toBe('EPYPIOIDC');
      expect(error?.message).toContain('HTTP 403: Trusted publishing functionality not enabled');
    } finally {
      await off.stop();
    }
    const { ctx } = context({ PYPI_ID_TOKEN: oidc.issue('testpypi') });
    const [wrong] = (await checkTrustedPublishing(
      pypi.uploadUrl,
      'PYPI_ID_TOKEN',
      ctx,
      noWait,
    )) as StackError[];
    expect(wrong?.code).toBe('EPYPIOIDC');
    expect(wrong?.details).toContain('id_tokens: PYPI_ID_TOKEN: aud: pypi');
  });

  it('refuses plain HTTP to a host that is not loopback without asking it', async () => {
    const { ctx } = context(oidc.env());
    const [error] = (await checkTrustedPublishing(
      'http://pkgs.example.com/legacy/',
      'GitHub Actions',
      ctx,
    )) as StackError[];
    expect(error?.code).toBe('EPYPIOIDC');
    expect(error?.message).toContain('plain HTTP');
  });
});

describe('mintUploadToken (publish)', () => {
  it('gets an ID token from GitHub Actions for the audience, exchanges it, and registers every token', async () => {
    const { ctx, logger } = context(oidc.env());
    const credentials = await mintUploadToken(pypi.uploadUrl, 'GitHub Actions', ctx, noWait);
    const minted = pypi.minted.at(-1)!;
    expect(credentials).toEqual({
      username: '__token__',
      password: minted.token,
      source: 'Trusted Publishing (GitHub Actions)',
    });
    expect(oidc.requests.at(-1)?.url).toMatch(/\/idtoken\?api-version=2\.0&audience=pypi$/);
    const idToken = oidc.issued.at(-1)!;
    const text = `${minted.token} ${idToken} ${encodeURIComponent(minted.token)} ${Buffer.from(minted.token).toString('base64')} ${Buffer.from(`__token__:${minted.token}`).toString('base64')}`;
    expect(ctx.redactor.redact(text)).toBe('[secure] [secure] [secure] [secure] [secure]');
    expect(logger.text()).toMatch(
      /Minted an upload token at http:\/\/127\.0\.0\.1:\d+ through Trusted Publishing/,
    );
    expect(logger.text()).not.toContain(minted.token);
  });

  it("turns the index's refusal into EPYPIOIDCREFUSED with its reason and the token's claims", async () => {
    pypi.trustedPublishing!.publishers = [{ repository: 'acme/other', projects: ['demo'] }];
    const { ctx } = context({ PYPI_ID_TOKEN: oidc.issue('pypi') });
    const error = await mintUploadToken(pypi.uploadUrl, 'PYPI_ID_TOKEN', ctx, noWait).then(
      () => undefined,
      (e: unknown) => e as StackError,
    );
    expect(error?.code).toBe('EPYPIOIDCREFUSED');
    expect(error?.message).toBe(
      `${pypi.url}/_/oidc/mint-token refused to exchange the ID token for an upload token: Token request failed.`,
    );
    expect(error?.details).toContain(
      'invalid-publisher: valid token, but no corresponding publisher (Publisher with matching claims was not found)',
    );
    expect(error?.details).toContain('repository `acme/demo`');
    expect(error?.details).toContain('semantic-release-stack publish --tag v1.0.0');
    expect(pypi.minted).toEqual([]);
  });

  it('reports a GitHub Actions refusal of the request token as EPYPIOIDC', async () => {
    const { ctx } = context({ ...oidc.env(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-the-request-token' });
    const error = await mintUploadToken(pypi.uploadUrl, 'GitHub Actions', ctx, noWait).then(
      () => undefined,
      (e: unknown) => e as StackError,
    );
    expect(error?.code).toBe('EPYPIOIDC');
    expect(error?.message).toContain('GitHub Actions did not issue an ID token (HTTP 401: Bad credentials)');
    expect(error?.message).not.toContain('api-version');
  });
});
