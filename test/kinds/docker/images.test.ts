import { describe, expect, it } from 'vitest';
import { stackError as sharedError } from '../../../src/errors.js';
import { resolveDockerConfig } from '../../../src/kinds/docker/config.js';
import { dockerKind } from '../../../src/kinds/docker/index.js';
import { registryError } from '../../../src/kinds/docker/registry.js';
import { OciError } from '../../../src/oci/errors.js';
import { fakeStepContext } from '../../helpers/contexts.js';

const resolve = (raw: unknown, env: Record<string, string> = {}, github?: (host: string) => boolean) => {
  const ctx = fakeStepContext({ root: '/repo', env });
  return { ctx, ...resolveDockerConfig(raw, ctx, github) };
};
const codes = (errors: Error[]) => errors.map((e) => (e as { code?: string }).code);

describe('docker as an array: several images', () => {
  it('resolves each image on its own, names its options `docker[i]`, and shares one build per distinct build', () => {
    const { config, errors } = resolve([
      { image: 'registry.example.com/acme/app', imageTagKey: 'image.tag' },
      { image: 'registry.example.com/acme/migrations', context: 'migrations', imageTagKey: 'migrations.tag' },
      { image: 'mirror.example.com/acme/app', floatingTags: [] },
    ]);
    expect(errors).toEqual([]);
    expect(config!.images.map((i) => [i.option, i.image.name, i.context, i.buildOf])).toEqual([
      ['docker[0]', 'registry.example.com/acme/app', 'docker', 'registry.example.com/acme/app'],
      [
        'docker[1]',
        'registry.example.com/acme/migrations',
        'migrations',
        'registry.example.com/acme/migrations',
      ],
      // Same context, Dockerfile, args…: the app's build, pushed to a second registry.
      ['docker[2]', 'mirror.example.com/acme/app', 'docker', 'registry.example.com/acme/app'],
    ]);
    expect(config!.images.map((i) => i.imageTagKey)).toEqual([
      { key: 'image.tag', file: 'chart/values.yaml' },
      { key: 'migrations.tag', file: 'chart/values.yaml' },
      undefined,
    ]);
    // A build arg that differs is another build.
    const args = resolve([
      { image: 'a.example.com/acme/app' },
      { image: 'b.example.com/acme/app', buildArgs: { FLAVOUR: 'slim' } },
    ]);
    expect(args.config!.images[1]!.buildOf).toBe('b.example.com/acme/app');
  });

  it('keeps the object form as it was: one image, options named `docker`', () => {
    const { config } = resolve({ image: 'org/app' });
    expect(config!.images).toHaveLength(1);
    expect(config!.images[0]).toMatchObject({
      option: 'docker',
      imageTagKey: undefined,
      buildOf: 'org/app',
    });
    expect(dockerKind.versionFields!(config!, fakeStepContext({ root: '/repo' }))).toEqual([]);
  });

  it("declares every image's imageTagKey as a version field of the chart's values file", () => {
    const { config } = resolve([
      { image: 'org/app', imageTagKey: 'image.tag', valuesFile: 'deploy/chart/values.yaml' },
      {
        image: 'org/migrations',
        context: 'migrations',
        imageTagKey: 'migrations.image.tag',
        valuesFile: 'deploy/chart/values.yaml',
      },
    ]);
    expect(dockerKind.versionFields!(config!, fakeStepContext({ root: '/repo' }))).toEqual([
      {
        path: 'deploy/chart/values.yaml',
        key: 'image.tag',
        type: 'yaml',
        option: 'docker[0].imageTagKey',
        render: 'imageTag',
      },
      {
        path: 'deploy/chart/values.yaml',
        key: 'migrations.image.tag',
        type: 'yaml',
        option: 'docker[1].imageTagKey',
        render: 'imageTag',
      },
    ]);
  });

  it('places each image artifact in its own registry, with its own login (what signing attaches to)', async () => {
    const { ctx, config } = resolve(
      [
        { image: 'a.example.com/acme/app' },
        { image: 'b.example.com/mirror/app', credentials: { user: 'B_USER', password: 'B_TOKEN' } },
      ],
      { DOCKER_REGISTRY_USER: 'a', DOCKER_REGISTRY_PASSWORD: 'a-pass', B_USER: 'b', B_TOKEN: 'b-pass' },
    );
    const place = (name: string) =>
      dockerKind.registryOf!(config!, ctx, { kind: 'docker', type: 'image', name, refs: [`${name}:1.0.0`] });
    const mirror = await place('b.example.com/mirror/app');
    expect(mirror).toMatchObject({ repository: 'mirror/app', name: 'b.example.com/mirror/app' });
    expect(mirror!.client.host).toBe('b.example.com');
    expect((await place('a.example.com/acme/app'))!.client.host).toBe('a.example.com');
    expect(await place('c.example.com/other')).toBeUndefined();
  });

  it('tells the preset which values files the images pin their tags in', () => {
    const files = dockerKind.preset!.versionFiles!;
    expect(files({ image: 'org/app' })).toEqual([]);
    expect(
      files([
        { image: 'org/app', imageTagKey: 'image.tag', valuesFile: 'deploy/values.yaml' },
        { image: 'org/worker', imageTagKey: 'worker.tag', valuesFile: 'deploy/values.yaml' },
        { image: 'org/jobs', imageTagKey: 'jobs.tag' },
      ] as never),
    ).toEqual(['deploy/values.yaml', 'chart/values.yaml']);
  });

  it('reports every problem of every image at once, each at its path', () => {
    const { errors } = resolve([
      { image: 'org/app', contxt: 'x' },
      { image: 'org/app', floatingTags: ['{majr}'] },
      { image: 'Org/Bad' },
      { image: 'org/other', valuesFile: 'chart/values.yaml' },
    ]);
    expect(codes(errors)).toEqual(['EUNKNOWNOPTION', 'EINVALIDOPTION', 'EINVALIDIMAGE', 'EINVALIDOPTION']);
    expect(errors[0]!.message).toBe('Unknown option `docker[0].contxt`.');
    expect((errors[0] as { details?: string }).details).toContain('did you mean `context`?');
    expect(errors[3]!.message).toContain('docker[3].valuesFile');
    expect(codes(resolve([]).errors)).toEqual(['EINVALIDOPTION']);
    const twice = resolve([
      { image: 'org/app', imageTagKey: 'image.tag' },
      { image: 'org/app', context: 'other', imageTagKey: 'image.tag' },
    ]);
    expect(twice.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('docker[1].image'),
      expect.stringContaining('docker[1].imageTagKey'),
    ]);
  });
});

describe('credentials per image', () => {
  it('reads the variables each image names, defaulting to the DOCKER_REGISTRY_* pair, and masks them', () => {
    const env = {
      DOCKER_REGISTRY_USER: 'default-user',
      DOCKER_REGISTRY_PASSWORD: 'default-pa55',
      MIRROR_USER: 'mirror-user',
      MIRROR_TOKEN: 'mirror-t0ken-value',
    };
    const { ctx, config, errors } = resolve(
      [
        { image: 'registry.example.com/acme/app' },
        {
          image: 'mirror.example.com/acme/app',
          credentials: { user: 'MIRROR_USER', password: 'MIRROR_TOKEN' },
        },
      ],
      env,
    );
    expect(errors).toEqual([]);
    expect(config!.images.map((i) => [i.credentials, i.credentialSource])).toEqual([
      [
        { username: 'default-user', password: 'default-pa55' },
        { from: 'env', user: 'DOCKER_REGISTRY_USER', password: 'DOCKER_REGISTRY_PASSWORD' },
      ],
      [
        { username: 'mirror-user', password: 'mirror-t0ken-value' },
        { from: 'env', user: 'MIRROR_USER', password: 'MIRROR_TOKEN' },
      ],
    ]);
    // A variable name that says nothing about a secret is masked once it holds a registry password.
    expect(ctx.redactor.redact('pushed with mirror-t0ken-value')).not.toContain('mirror-t0ken-value');
  });

  it('refuses named variables that are not set, naming them, all images at once', () => {
    const { errors } = resolve(
      [
        { image: 'a.example.com/acme/app', credentials: { user: 'A_USER', password: 'A_TOKEN' } },
        { image: 'b.example.com/acme/app', credentials: { user: 'B_USER', password: 'B_TOKEN' } },
        { image: 'c.example.com/acme/app', credentials: { user: 'bad-name', password: 'C' } },
      ],
      { A_USER: 'a' },
    );
    expect(codes(errors)).toEqual(['EDOCKERCREDENTIALS', 'EDOCKERCREDENTIALS', 'EINVALIDOPTION']);
    expect(errors[0]!.message).toBe('Registry credentials are incomplete: A_TOKEN is not set.');
    expect(errors[1]!.message).toBe('Registry credentials are incomplete: B_USER and B_TOKEN are not set.');
  });
});

describe('ghcr.io with GITHUB_TOKEN', () => {
  const token = 'ghs_0123456789abcdefTOKEN';

  it('logs in to ghcr.io with GITHUB_TOKEN as GITHUB_ACTOR when no credentials are configured', () => {
    const { ctx, config } = resolve(
      { image: 'ghcr.io/acme/app' },
      { GITHUB_TOKEN: token, GITHUB_ACTOR: 'octocat' },
    );
    expect(config!.images[0]).toMatchObject({
      githubRegistry: true,
      credentials: { username: 'octocat', password: token },
      credentialSource: { from: 'github-token', user: 'octocat' },
    });
    expect(ctx.redactor.redact(token)).not.toContain(token);
    // Without GITHUB_ACTOR: a fixed user name (ghcr.io reads only the token).
    expect(
      resolve({ image: 'ghcr.io/acme/app' }, { GITHUB_TOKEN: token }).config!.images[0]!.credentials,
    ).toEqual({
      username: 'x-access-token',
      password: token,
    });
  });

  it('prefers configured credentials and the DOCKER_REGISTRY_* pair, and never sends GITHUB_TOKEN elsewhere', () => {
    const pair = { DOCKER_REGISTRY_USER: 'u', DOCKER_REGISTRY_PASSWORD: 'p4ss', GITHUB_TOKEN: token };
    expect(resolve({ image: 'ghcr.io/acme/app' }, pair).config!.images[0]!.credentialSource).toMatchObject({
      from: 'env',
      user: 'DOCKER_REGISTRY_USER',
    });
    const named = resolve(
      { image: 'ghcr.io/acme/app', credentials: { user: 'GHCR_USER', password: 'GHCR_TOKEN' } },
      { GHCR_USER: 'bot', GHCR_TOKEN: 'ghp_pat', GITHUB_TOKEN: token },
    );
    expect(named.config!.images[0]!.credentials).toEqual({ username: 'bot', password: 'ghp_pat' });
    const other = resolve({ image: 'registry.example.com/acme/app' }, { GITHUB_TOKEN: token });
    expect(other.config!.images[0]).toMatchObject({
      githubRegistry: false,
      credentials: undefined,
      credentialSource: { from: 'login' },
    });
  });

  it('treats the registries the seam names as GitHub registries (how the tests stand a loopback registry in for ghcr.io)', () => {
    const { config } = resolve({ image: '127.0.0.1:5000/acme/app' }, { GITHUB_TOKEN: token }, (host) =>
      host.startsWith('127.0.0.1:'),
    );
    expect(config!.images[0]).toMatchObject({ githubRegistry: true, credentials: { password: token } });
  });

  it('turns a 403 from GitHub’s registry (API or the builder’s push) into EGHCRPERMISSION, elsewhere EDOCKERAUTH', () => {
    const ghcr = resolve({ image: 'ghcr.io/acme/app' }, { GITHUB_TOKEN: token, GITHUB_ACTOR: 'octocat' })
      .config!.images[0]!;
    const other = resolve({ image: 'registry.example.com/acme/app' }).config!.images[0]!;
    const denied = new OciError(
      'POST /v2/acme/app/blobs/uploads/ on ghcr.io: 403 DENIED permission_denied: write_package',
      'denied',
      403,
    );
    const coded = registryError(denied, ghcr) as Error & { code: string; details: string };
    expect(coded.code).toBe('EGHCRPERMISSION');
    expect(coded.message).toBe(
      'GitHub Container Registry refused to let octocat push `ghcr.io/acme/app` (403).',
    );
    expect(coded.details).toContain('permissions: packages: write');
    expect(coded.details).toContain('Manage Actions access');
    expect((registryError(denied, other) as { code?: string }).code).toBe('EDOCKERAUTH');
    const push = sharedError('ECOMMANDFAILED', {
      command: 'docker push -- ghcr.io/acme/app:1.0.0',
      exitCode: 1,
      output: 'denied: permission_denied: write_package',
    });
    expect((registryError(push, ghcr) as { code?: string }).code).toBe('EGHCRPERMISSION');
    expect((registryError(push, other) as { code?: string }).code).toBe('ECOMMANDFAILED');
    // A refused token (401) is a wrong credential, not a permission of the package.
    const refused = new OciError('ghcr.io refused the credentials for GET /v2/', 'auth', 401);
    const auth = registryError(refused, ghcr) as Error & { code: string; details: string };
    expect(auth.code).toBe('EDOCKERAUTH');
    expect(auth.details).toContain('GITHUB_TOKEN (sent as user `octocat`)');
  });
});
