import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseImageName, registryPageUrl } from './reference.js';

describe('parseImageName', () => {
  it.each([
    ['registry.example.com/org/app', 'registry.example.com', 'registry.example.com', 'org/app'],
    ['accanto/os-vim-driver', 'docker.io', 'registry-1.docker.io', 'accanto/os-vim-driver'],
    ['redis', 'docker.io', 'registry-1.docker.io', 'library/redis'],
    ['docker.io/redis', 'docker.io', 'registry-1.docker.io', 'library/redis'],
    ['index.docker.io/org/app', 'docker.io', 'registry-1.docker.io', 'org/app'],
    ['localhost/app', 'localhost', 'localhost', 'app'],
    ['localhost:5000/a/b/c', 'localhost:5000', 'localhost:5000', 'a/b/c'],
    ['127.0.0.1:5000/acme/app', '127.0.0.1:5000', '127.0.0.1:5000', 'acme/app'],
    ['[::1]:5000/acme/app', '[::1]:5000', '[::1]:5000', 'acme/app'],
    ['ghcr.io/o/a__b.c-d---e', 'ghcr.io', 'ghcr.io', 'o/a__b.c-d---e'],
  ])('%s → registry %s, API %s, repository %s', (name, registry, apiHost, repository) => {
    const parsed = parseImageName(name);
    expect(parsed).toEqual({ ok: true, image: { name, registry, apiHost, repository } });
  });

  it.each([
    ['', /empty/],
    ['-app', /starts with "-"/],
    ['org/App', /not a valid repository path/],
    ['org/app:1.0', /holds a tag/],
    ['registry.example.com:5000/org/app:latest', /holds a tag/],
    ['org/app@sha256:abc', /digest/],
    ['org/a___b', /not a valid repository path/],
    ['org/a..b', /not a valid repository path/],
    ['org/-a', /not a valid repository path/],
    ['org//a', /not a valid repository path/],
    ['reg-.example.com/a', /not a valid registry host/],
    [`a/${'b'.repeat(260)}`, /longer than 255/],
  ])('refuses %j', (name, problem) => {
    const parsed = parseImageName(name);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });

  it('treats an upper-case first part as a registry host, as docker does', () => {
    expect(parseImageName('Registry.Local/app')).toMatchObject({
      ok: true,
      image: { registry: 'Registry.Local' },
    });
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1:5000', true],
    ['127.3.4.5', true],
    ['localhost:80', true],
    ['[::1]:5000', true],
    ['registry.example.com', false],
    ['128.0.0.1:5000', false],
    ['localhost.example.com', false],
  ])('%s → %s', (host, loopback) => expect(isLoopbackHost(host)).toBe(loopback));
});

describe('registryPageUrl', () => {
  it("links Docker Hub's page for a Hub repository and the registry API's manifest URL elsewhere", () => {
    expect(
      registryPageUrl({ host: 'registry-1.docker.io', repository: 'acme/app', insecure: false }, '1.4.0'),
    ).toBe('https://hub.docker.com/r/acme/app/tags?name=1.4.0');
    expect(registryPageUrl({ host: 'docker.io', repository: 'library/redis', insecure: false }, '7')).toBe(
      'https://hub.docker.com/_/redis/tags?name=7',
    );
    expect(registryPageUrl({ host: 'ghcr.io', repository: 'acme/app', insecure: false }, '1.4.0_b.1')).toBe(
      'https://ghcr.io/v2/acme/app/manifests/1.4.0_b.1',
    );
    expect(registryPageUrl({ host: '127.0.0.1:5000', repository: 'app', insecure: true }, 'latest')).toBe(
      'http://127.0.0.1:5000/v2/app/manifests/latest',
    );
  });
});
