import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_HOST, docker, dockerLogin, ensureDocker, pingDocker } from '../helpers/docker.js';
import { getBlob, getManifest, listTags, startRegistry, type Registry } from '../helpers/registry.js';
import { INSTALL_HINTS, requireTool } from '../helpers/tools.js';

const auth = { user: 'ci-pusher', password: 'pa55-w0rd-for-tests' };

describe('docker helper + registry', () => {
  let registry: Registry;
  let context: string;
  const id = `${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    const daemon = await ensureDocker();
    expect(daemon.host).toBe(DOCKER_HOST);
    registry = await startRegistry({ auth });
    context = await mkdtemp(join(tmpdir(), 'srs-docker-ctx-'));
  });

  afterAll(async () => {
    await registry?.stop();
    if (context) await rm(context, { recursive: true, force: true });
  });

  it('reuses the running daemon', async () => {
    expect(await pingDocker()).toBe(true);
    const again = await ensureDocker();
    expect(again.host).toBe('unix:///tmp/srs-docker/docker.sock');
    const { stdout } = await docker(['info', '--format', '{{json .RegistryConfig.IndexConfigs}}']);
    expect(stdout.length).toBeGreaterThan(0);
    const insecure = await docker(['info', '--format', '{{json .RegistryConfig.InsecureRegistryCIDRs}}']);
    expect(insecure.stdout).toContain('127.0.0.0/8');
  });

  it('builds FROM scratch with COPY, and RUN steps with busybox-static (default network and host)', async () => {
    const busybox = await requireTool('/usr/bin/busybox', INSTALL_HINTS.busybox);
    await writeFile(join(context, 'hello.txt'), `hello ${id}\n`);
    await copyFile(busybox, join(context, 'busybox'));
    await writeFile(
      join(context, 'Dockerfile.copy'),
      `FROM scratch\nCOPY hello.txt /hello.txt\nLABEL org.opencontainers.image.version="1.2.3"\n`,
    );
    await writeFile(
      join(context, 'Dockerfile.run'),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        `RUN echo "built ${id}" > /built.txt`,
        'COPY hello.txt /hello.txt',
        '',
      ].join('\n'),
    );
    const copy = await docker(['build', '-f', 'Dockerfile.copy', '-t', `srs-harness/copy:${id}`, '.'], {
      cwd: context,
    });
    expect(copy.exitCode).toBe(0);
    const label = await docker([
      'image',
      'inspect',
      '--format',
      '{{index .Config.Labels "org.opencontainers.image.version"}}',
      `srs-harness/copy:${id}`,
    ]);
    expect(label.stdout).toBe('1.2.3');

    // No --network: with --bridge=none the build containers get the `none` network.
    const run = await docker(
      ['build', '--no-cache', '-f', 'Dockerfile.run', '-t', `srs-harness/run:${id}`, '.'],
      {
        cwd: context,
      },
    );
    expect(run.exitCode).toBe(0);
    const hostNet = await docker(
      [
        'build',
        '--no-cache',
        '--network',
        'host',
        '-f',
        'Dockerfile.run',
        '-t',
        `srs-harness/run-host:${id}`,
        '.',
      ],
      { cwd: context },
    );
    expect(hostNet.exitCode).toBe(0);
    const out = await docker([
      'run',
      '--rm',
      `srs-harness/run:${id}`,
      '/bin/cat',
      '/built.txt',
      '/hello.txt',
    ]);
    expect(out.stdout).toBe(`built ${id}\nhello ${id}`);
  });

  it('pushes to and pulls from the loopback registry with htpasswd auth', async () => {
    const ref = `${registry.host}/srs/harness:${id}`;
    const config = await dockerLogin(registry.host, auth);
    try {
      await docker(['tag', `srs-harness/run:${id}`, ref]);
      const push = await docker(['push', ref], { config });
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
      expect(digest).toBeDefined();

      expect(await listTags(registry, 'srs/harness', auth)).toEqual([id]);
      const manifest = await getManifest(registry, 'srs/harness', id, { auth });
      expect(manifest.status).toBe(200);
      expect(manifest.digest).toBe(digest);
      expect(manifest.contentType).toBe('application/vnd.docker.distribution.manifest.v2+json');
      const configDigest = (manifest.json?.config as { digest: string }).digest;
      const imageConfig = JSON.parse(
        (await getBlob(registry, 'srs/harness', configDigest, auth)).toString('utf8'),
      );
      expect(imageConfig.architecture).toBe('amd64');
      // COPY busybox, RUN --install, RUN echo, COPY hello.txt
      expect(imageConfig.rootfs.diff_ids).toHaveLength(4);
      expect(manifest.json?.layers).toHaveLength(4);

      await docker(['rmi', ref]);
      await docker(['rmi', `srs-harness/run:${id}`]);
      await docker(['pull', ref], { config });
      const out = await docker(['run', '--rm', ref, '/bin/cat', '/built.txt']);
      expect(out.stdout).toBe(`built ${id}`);
      await docker(['rmi', ref]);
    } finally {
      await rm(config, { recursive: true, force: true });
    }
  });

  it('refuses a wrong password (docker login and the HTTP API)', async () => {
    const config = await mkdtemp(join(tmpdir(), 'srs-docker-config-'));
    try {
      const login = await docker(['login', '--username', auth.user, '--password-stdin', registry.host], {
        config,
        input: 'not-the-password',
        reject: false,
      });
      expect(login.exitCode).not.toBe(0);
      expect(login.stderr).toMatch(/401 Unauthorized/);
      const pull = await docker(['pull', `${registry.host}/srs/harness:${id}`], { config, reject: false });
      expect(pull.exitCode).not.toBe(0);
    } finally {
      await rm(config, { recursive: true, force: true });
    }
    const manifest = await getManifest(registry, 'srs/harness', id, {
      auth: { user: auth.user, password: 'wrong' },
    });
    expect(manifest.status).toBe(401);
    await expect(listTags(registry, 'srs/harness', { user: auth.user, password: 'wrong' })).rejects.toThrow(
      /401/,
    );
  });
});
