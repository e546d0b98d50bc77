import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext } from '../../core/context.js';
import { silentLogger } from '../../logger.js';
import type { StackError } from '../../errors.js';
import { PYPI_UPLOAD_URL, pypiAuth, pypiCredentials, resolvePythonConfig } from './config.js';
import { setupCfgName } from './project.js';
import { decideUpload } from './publish.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'srs-python-config-'));
  await writeFile(path.join(root, 'pyproject.toml'), '[project]\nname = "x"\nversion = "0"\n');
});
afterAll(() => rm(root, { recursive: true, force: true }));

const resolve = (raw: unknown) =>
  resolvePythonConfig(raw, stepContext({ cwd: root, env: {}, logger: silentLogger }));
const codes = (errors: Error[]) => errors.map((e) => `${(e as StackError).code} ${e.message}`);

describe('resolvePythonConfig', () => {
  it('fills every default', () => {
    expect(resolve({}).config).toEqual({
      versionFiles: [{ path: 'pyproject.toml', key: undefined, type: undefined, set: {} }],
      versionScheme: 'files',
      prereleaseMap: {},
      interpreter: 'python3',
      isolation: true,
      builder: 'build',
      skipDependencyCheck: false,
      build: true,
      sdist: true,
      distName: undefined,
      distDir: 'dist',
      publish: undefined,
    });
    expect(resolve({ publish: true }).config?.publish).toEqual({ uploadUrl: PYPI_UPLOAD_URL, pypi: true });
    expect(resolve({ publish: { repositoryUrl: 'https://idx.example/legacy/' } }).config?.publish).toEqual({
      uploadUrl: 'https://idx.example/legacy/',
      pypi: false,
    });
  });

  it('refuses option-like, non-http and credential-carrying values, all at once', () => {
    const result = resolve({
      interpreter: '--version',
      builder: 'poetry',
      distName: 'not a name',
      distDir: '-rf',
      publish: { repositoryUrl: 'https://user:pw@idx.example/legacy/' },
    });
    expect(codes(result.errors)).toEqual([
      'EINVALIDOPTION Invalid option `python.interpreter`: must not start with "-".',
      expect.stringMatching(/^EINVALIDOPTION Invalid option `python.builder`/),
      'EINVALIDOPTION Invalid option `python.distName`: must be a PEP 508 project name.',
      'EINVALIDOPTION Invalid option `python.distDir`: must not start with "-".',
      expect.stringMatching(/^EINVALIDOPTION Invalid option `python.publish.*must not hold credentials/),
    ]);
    expect(codes(resolve({ publish: { repositoryUrl: 'ftp://idx.example/' } }).errors)).toEqual([
      expect.stringMatching(/must be an http\(s\) URL/),
    ]);
    expect(codes(resolve({ publish: { repositoryUrl: '-x' } }).errors)).toHaveLength(1);
  });

  it('passes --skip-dependency-check only to builds without isolation', () => {
    expect(resolve({ isolation: false, skipDependencyCheck: true }).config?.skipDependencyCheck).toBe(true);
    expect(codes(resolve({ skipDependencyCheck: true }).errors)).toEqual([
      expect.stringMatching(/^EINVALIDOPTION Invalid option `python.skipDependencyCheck`: applies only to/),
    ]);
  });

  it('refuses publishing without building', () => {
    expect(codes(resolve({ build: false, publish: true }).errors)).toEqual([
      expect.stringMatching(/^EINVALIDOPTION Invalid option `python.publish`/),
    ]);
  });

  it('suggests the option a typo meant', () => {
    expect(codes(resolve({ interpeter: 'python3' }).errors)).toEqual([
      'EUNKNOWNOPTION Unknown option `python.interpeter`.',
    ]);
  });
});

describe('pypiCredentials', () => {
  it('prefers PYPI_TOKEN as __token__, then the twine pair', () => {
    expect(pypiCredentials({ PYPI_TOKEN: 'pypi-1', TWINE_USERNAME: 'u', TWINE_PASSWORD: 'p' })).toMatchObject(
      {
        username: '__token__',
        password: 'pypi-1',
      },
    );
    expect(pypiCredentials({ TWINE_USERNAME: 'u', TWINE_PASSWORD: 'p' })).toMatchObject({
      username: 'u',
      password: 'p',
    });
    expect(pypiCredentials({ TWINE_PASSWORD: 'p' })).toBeUndefined();
  });
});

describe('pypiAuth', () => {
  it('takes a token or twine pair first, then a ready ID token, then GitHub Actions OIDC', () => {
    const actions = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x/idtoken?api-version=2.0',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't',
    };
    expect(pypiAuth({ PYPI_TOKEN: 'pypi-x', PYPI_ID_TOKEN: 'jwt', ...actions }).kind).toBe('credentials');
    expect(pypiAuth({ PYPI_ID_TOKEN: 'jwt', ...actions })).toEqual({
      kind: 'trusted-publishing',
      source: 'PYPI_ID_TOKEN',
    });
    expect(pypiAuth(actions)).toEqual({ kind: 'trusted-publishing', source: 'GitHub Actions' });
    // An Actions job without `id-token: write` has neither variable.
    expect(pypiAuth({ GITHUB_ACTIONS: 'true' })).toEqual({ kind: 'none', actionsWithoutIdToken: true });
    expect(pypiAuth({ ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' })).toEqual({
      kind: 'none',
      actionsWithoutIdToken: false,
    });
  });
});

describe('decideUpload', () => {
  const sha = 'c'.repeat(64);
  it('uploads a new file, skips the same bytes, refuses other bytes', () => {
    expect(decideUpload([{ filename: 'other.whl', sha256: sha }], 'w.whl', sha)).toEqual({
      action: 'upload',
    });
    expect(decideUpload([{ filename: 'w.whl', sha256: sha }], 'w.whl', sha.toUpperCase())).toEqual({
      action: 'skip',
    });
    expect(decideUpload([{ filename: 'w.whl', sha256: 'd'.repeat(64) }], 'w.whl', sha)).toEqual({
      action: 'conflict',
      remoteSha256: 'd'.repeat(64),
    });
    expect(decideUpload([{ filename: 'w.whl', sha256: undefined }], 'w.whl', sha).action).toBe('conflict');
  });
});

describe('setupCfgName', () => {
  it('reads name from [metadata] only', () => {
    expect(setupCfgName('[options]\nname = no\n[metadata]\nversion = 1\nname = os-vim-driver\n')).toBe(
      'os-vim-driver',
    );
    expect(setupCfgName('[options]\nname = no\n')).toBeUndefined();
  });
});
