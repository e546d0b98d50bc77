import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_ISSUER, OidcStandin, verifyJwt, type JwtAlgorithm } from '../helpers/oidc-standin.js';
import { PypiStandin, buildTinyWheel, twineUpload } from '../helpers/pypi-standin.js';

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe.each(['RS256', 'ES256'] as JwtAlgorithm[])('Actions OIDC stand-in (%s)', (alg) => {
  const oidc = new OidcStandin({ alg, repository: 'acme/demo', workflow: 'release.yml' });
  beforeAll(async () => void (await oidc.start()));
  afterAll(() => oidc.stop());

  it('issues a signed ID token for the asked audience to the bearer of the request token', async () => {
    const url = new URL(oidc.requestUrl);
    url.searchParams.set('audience', 'pypi');
    const response = await fetch(url, { headers: { Authorization: `bearer ${oidc.requestToken}` } });
    expect(response.status).toBe(200);
    const { value } = (await response.json()) as { value: string };
    const verified = verifyJwt(value, oidc.publicKey);
    expect('claims' in verified && verified.claims).toMatchObject({
      aud: 'pypi',
      iss: GITHUB_ISSUER,
      repository: 'acme/demo',
      job_workflow_ref: 'acme/demo/.github/workflows/release.yml@refs/heads/main',
      sub: 'repo:acme/demo:ref:refs/heads/main',
    });
    expect(JSON.parse(Buffer.from(value.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg });
    expect(oidc.issued).toContain(value);
  });

  it('refuses a wrong bearer token with 401, and a tampered token fails verification', async () => {
    const response = await fetch(`${oidc.requestUrl}&audience=pypi`, {
      headers: { Authorization: 'bearer nope' },
    });
    expect(response.status).toBe(401);
    const token = oidc.issue('pypi');
    const [h, p, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claimsOf(token), repository: 'evil/fork' })).toString(
      'base64url',
    );
    expect(verifyJwt(`${h}.${forged}.${sig}`, oidc.publicKey)).toEqual({ problem: 'bad signature' });
    expect('claims' in verifyJwt(`${h}.${p}.${sig}`, oidc.publicKey)).toBe(true);
  });
});

describe('PyPI stand-in: Trusted Publishing endpoints, with the real twine uploading', () => {
  const oidc = new OidcStandin({ repository: 'acme/demo', workflow: 'release.yml' });
  const other = new OidcStandin();
  let pypi: PypiStandin;
  let dir = '';
  let wheel = '';

  beforeAll(async () => {
    pypi = new PypiStandin({
      trustedPublishing: {
        issuer: oidc.issuer,
        key: oidc.publicKey,
        publishers: [{ repository: 'acme/demo', workflow: 'release.yml', projects: ['srs-tp-demo'] }],
      },
    });
    await pypi.start();
    ({ dir, wheel } = await buildTinyWheel({ name: 'srs-tp-demo', version: '1.0.0' }));
  }, 180_000);
  afterAll(async () => {
    await pypi.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const mint = async (token: unknown) => {
    const response = await fetch(`${pypi.url}/_/oidc/mint-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('names its audience, mints a token for a trusted publisher, and twine uploads with it', async () => {
    const audience = (await (await fetch(`${pypi.url}/_/oidc/audience`)).json()) as { audience: string };
    expect(audience).toEqual({ audience: 'pypi' });
    const minted = await mint(oidc.issue('pypi'));
    expect(minted.status).toBe(200);
    expect(minted.body).toMatchObject({ success: true, token: expect.stringMatching(/^pypi-minted-/) });
    expect(minted.body.expires).toBeGreaterThan(Date.now() / 1000 + 800);

    const result = await twineUpload([wheel], {
      repositoryUrl: pypi.uploadUrl,
      username: '__token__',
      password: minted.body.token as string,
    });
    expect(result.code, result.output).toBe(0);
    expect(pypi.files.map((f) => [f.filename, f.auth])).toEqual([
      ['srs_tp_demo-1.0.0-py3-none-any.whl', 'trusted-publishing'],
    ]);
  });

  it("answers warehouse's 422 shapes for every refusal", async () => {
    const refused = (code: string) => ({
      status: 422,
      body: { message: 'Token request failed', errors: [expect.objectContaining({ code })] },
    });
    expect(await mint(42)).toMatchObject(refused('invalid-payload'));
    expect(await mint('not.a.jwt')).toMatchObject(refused('invalid-token'));
    expect(await mint(other.issue('pypi'))).toMatchObject(refused('invalid-token')); // another key
    expect(await mint(oidc.issue('testpypi'))).toMatchObject(refused('invalid-token')); // audience
    expect(await mint(oidc.issue('pypi', { exp: 1 }))).toMatchObject(refused('invalid-token'));
    expect(await mint(oidc.issue('pypi', { repository: 'acme/other' }))).toMatchObject(
      refused('invalid-publisher'),
    );
    const forWorkflow = oidc.issue('pypi', {
      job_workflow_ref: 'acme/demo/.github/workflows/ci.yml@refs/heads/main',
    });
    expect(await mint(forWorkflow)).toMatchObject(refused('invalid-publisher'));
  });

  it('refuses a minted token for another project, and an expired one', async () => {
    const minted = await mint(oidc.issue('pypi'));
    const { dir: otherDir, wheel: otherWheel } = await buildTinyWheel({
      name: 'srs-unrelated',
      version: '1.0.0',
    });
    try {
      const upload = await twineUpload([otherWheel], {
        repositoryUrl: pypi.uploadUrl,
        username: '__token__',
        password: minted.body.token as string,
      });
      expect(upload.code).not.toBe(0);
      expect(upload.output).toContain('project-scoped token is not valid');
      pypi.minted.find((t) => t.token === minted.body.token)!.expires = 0;
      const expired = await twineUpload([wheel], {
        repositoryUrl: pypi.uploadUrl,
        username: '__token__',
        password: minted.body.token as string,
      });
      expect(expired.output).toContain('403');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('answers 403 at the audience and not-enabled at the exchange when Trusted Publishing is off', async () => {
    const off = new PypiStandin();
    await off.start();
    try {
      const audience = await fetch(`${off.url}/_/oidc/audience`);
      expect(audience.status).toBe(403);
      expect(await audience.json()).toEqual({ message: 'Trusted publishing functionality not enabled' });
      const response = await fetch(`${off.url}/_/oidc/mint-token`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ errors: [{ code: 'not-enabled' }] });
    } finally {
      await off.stop();
    }
  });
});
