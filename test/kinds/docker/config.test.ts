import { describe, expect, it } from 'vitest';
import { resolveDockerConfig } from '../../../src/kinds/docker/config.js';
import { fakeStepContext } from '../../helpers/contexts.js';

const resolveAll = (raw: unknown, env: Record<string, string> = {}) =>
  resolveDockerConfig(raw, fakeStepContext({ root: '/repo', env }));
/** The object form: one image. */
const resolve = (raw: unknown, env: Record<string, string> = {}) => {
  const { config, errors } = resolveAll(raw, env);
  return { config: config?.images[0], errors };
};
const codes = (raw: unknown, env: Record<string, string> = {}) =>
  resolve(raw, env).errors.map((e) => (e as { code?: string }).code);

describe('docker options', () => {
  it('defaults to the seed layout: context docker, its Dockerfile, wheels in docker/whls, pushed, `latest`', () => {
    const { config } = resolve({ image: 'accanto/os-vim-driver' });
    expect(config).toMatchObject({
      context: 'docker',
      dockerfile: 'docker/Dockerfile',
      wheelsDir: 'docker/whls',
      builder: 'docker',
      platforms: [],
      floatingTags: ['latest'],
      channelTags: true,
      push: true,
      insecureRegistry: false,
      credentials: undefined,
      image: { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'accanto/os-vim-driver' },
    });
  });

  it('resolves paths against the context and speaks http to a loopback registry', () => {
    const { config } = resolve({
      image: '127.0.0.1:5000/acme/app',
      context: './images/app/',
      wheelsDir: 'dist',
      builder: 'podman',
    });
    expect(config).toMatchObject({
      context: 'images/app',
      dockerfile: 'images/app/Dockerfile',
      wheelsDir: 'images/app/dist',
      insecureRegistry: true,
    });
    expect(resolve({ image: 'localhost:5000/app', insecureRegistry: false }).config?.insecureRegistry).toBe(
      false,
    );
    expect(resolve({ image: 'org/app', wheelsDir: false }).config?.wheelsDir).toBe(false);
  });

  it('reads both credentials from the context env, and refuses half of them', () => {
    expect(
      resolve({ image: 'org/app' }, { DOCKER_REGISTRY_USER: 'u', DOCKER_REGISTRY_PASSWORD: 'p4ssword' })
        .config?.credentials,
    ).toEqual({
      username: 'u',
      password: 'p4ssword',
    });
    expect(codes({ image: 'org/app' }, { DOCKER_REGISTRY_USER: 'u' })).toEqual(['EDOCKERCREDENTIALS']);
  });

  it('refuses an invalid image name, a tag in it, and an option-looking one', () => {
    expect(codes({ image: 'Org/App' })).toEqual(['EINVALIDIMAGE']);
    expect(codes({ image: 'org/app:1.0' })).toEqual(['EINVALIDIMAGE']);
    expect(codes({ image: '--privileged' })).toEqual(['EINVALIDIMAGE']);
    expect(codes({})).toEqual(['EINVALIDOPTION']);
  });

  it('refuses build args that look like secrets, by name or by value', () => {
    expect(
      codes({
        image: 'org/app',
        buildArgs: { NPM_TOKEN: 'x', DB_PASSWORD: 'y', API_KEY: 'z', PIP_INDEX_AUTH: 'a' },
      }),
    ).toEqual(['EDOCKERSECRETARG', 'EDOCKERSECRETARG', 'EDOCKERSECRETARG', 'EDOCKERSECRETARG']);
    expect(
      codes({ image: 'org/app', buildArgs: { INDEX: 'hunter2-secret' } }, { PYPI_TOKEN: 'hunter2-secret' }),
    ).toEqual(['EDOCKERSECRETARG']);
    expect(codes({ image: 'org/app', buildArgs: { VERSION: '{pep440}', BASE: 'python:3.12' } })).toEqual([]);
  });

  it('takes build secrets by variable name, needs each variable set, and masks its value', () => {
    const ctx = fakeStepContext({ root: '/repo', env: { NPM_TOKEN: 'npm-abc', INDEX: 'plain-looking' } });
    const { config, errors } = resolveDockerConfig(
      { image: 'org/app', secrets: ['NPM_TOKEN', { id: 'pip-index', env: 'INDEX' }] },
      ctx,
    );
    expect(errors).toEqual([]);
    expect(config?.images[0]?.secrets).toEqual([
      { id: 'NPM_TOKEN', env: 'NPM_TOKEN' },
      { id: 'pip-index', env: 'INDEX' },
    ]);
    // A value whose variable name says nothing is still a secret once it is a build secret.
    expect(ctx.redactor.redact('index=plain-looking')).not.toContain('plain-looking');
    const refused = resolve(
      { image: 'org/app', secrets: ['MISSING', { id: 'a', env: 'NPM_TOKEN' }, 'a'] },
      {
        NPM_TOKEN: 'x',
        a: 'y',
      },
    );
    expect(refused.errors.map((e) => (e as { code?: string }).code)).toEqual([
      'EDOCKERSECRET',
      'EINVALIDOPTION',
    ]);
    expect(refused.errors[0]?.message).toBe(
      'Build secret `MISSING` cannot be passed to the build: the environment variable `MISSING` is not set.',
    );
  });

  it('refuses unknown options, option-looking paths and names, bad platforms and bad tag templates', () => {
    expect(codes({ image: 'org/app', contxt: 'x' })).toEqual(['EUNKNOWNOPTION']);
    expect(codes({ image: 'org/app', context: '-x' })).toEqual(['EINVALIDOPTION']);
    expect(codes({ image: 'org/app', buildArgs: { '-x': '1' } })).toEqual(['EINVALIDOPTION']);
    expect(codes({ image: 'org/app', labels: { '--x': '1' } })).toEqual(['EINVALIDOPTION']);
    expect(codes({ image: 'org/app', platforms: ['--push'] })).toEqual(['EINVALIDOPTION']);
    expect(codes({ image: 'org/app', floatingTags: ['{majr}'] })).toEqual(['EINVALIDOPTION']);
    expect(codes({ image: 'org/app', floatingTags: ['-{major}'] })).toEqual(['EINVALIDOPTION']);
    expect(codes({ image: 'org/app', wheelsDir: '../outside' })).toEqual(['EINVALIDOPTION']);
    expect(codes({ image: 'org/app', labels: { 'org.example.v': '{verison}' } })).toEqual(['EINVALIDOPTION']);
  });
});
