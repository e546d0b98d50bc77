import { exec } from '../../../exec.js';
import type { Builder, BuilderContext, BuildRequest } from './builder.js';
import { buildFlags, layerCacheFlags, withPrefix } from './flags.js';

const INSTALL = {
  podman: 'Install Podman (Debian: `apt-get install podman`).',
  buildah: 'Install Buildah (Debian: `apt-get install buildah`).',
};

/**
 * Podman and Buildah: daemonless, sharing containers/storage and containers/image, so they differ
 * only in verb names. Both build a manifest list for several platforms (`--manifest`).
 */
export function containersBuilder(name: 'podman' | 'buildah', ctx: BuilderContext): Builder {
  const run = (args: string[], options: { input?: string; quiet?: boolean; reject?: boolean } = {}) =>
    exec(ctx, name, args, { env: ctx.authEnv, install: INSTALL[name], ...options });
  // containers/image trusts TLS for every registry unless told otherwise, loopback included.
  const tls = ctx.insecureRegistry ? ['--tls-verify=false'] : [];

  async function imageId(ref: string): Promise<string | undefined> {
    const args =
      name === 'podman'
        ? ['image', 'inspect', '--format', '{{.Id}}', '--', ref]
        : ['inspect', '--type', 'image', '--format', '{{.FromImageID}}', '--', ref];
    const result = await run(args, { quiet: true, reject: false });
    return result.exitCode === 0 && result.stdout.trim() ? withPrefix(result.stdout.trim()) : undefined;
  }

  return {
    name,

    async unavailable() {
      const result = await run(['version'], { quiet: true, reject: false }).catch((error: Error) => ({
        exitCode: -1,
        stdout: '',
        stderr: error.message,
      }));
      if (result.exitCode === 0) return undefined;
      if (result.exitCode === -1) return `${name} was not found. ${INSTALL[name]}`;
      return `\`${name} version\` failed: ${result.stderr.trim().split('\n').pop() ?? ''}`;
    },

    async platformsProblem() {
      return undefined;
    },

    async secretsProblem() {
      return undefined;
    },

    async build(request: BuildRequest) {
      const verb = name === 'podman' ? 'build' : 'bud';
      if (request.platforms.length === 0) {
        const cache = layerCacheFlags(request.cache, tls);
        await run([verb, ...buildFlags(request), ...cache, '--', request.contextDir]);
        return;
      }
      // `--manifest` collects one image per platform in a list named like the image. The cache is
      // off, `docker.cache` too: podman 4.3 reuses a layer of another platform for a FROM scratch
      // stage, which would put an amd64 image under arm64.
      const flags = buildFlags(request).filter((_, i, all) => all[i] !== '--tag' && all[i - 1] !== '--tag');
      await run([
        verb,
        '--no-cache',
        '--platform',
        request.platforms.join(','),
        '--manifest',
        request.ref,
        ...flags,
        '--',
        request.contextDir,
      ]);
    },

    async tag(source, target) {
      await run(['tag', '--', source, target], { quiet: true });
    },

    async login(registry, credentials) {
      await run(['login', ...tls, '--username', credentials.username, '--password-stdin', '--', registry], {
        input: credentials.password,
        quiet: true,
      });
    },

    authEnvFor: (dir) => ({ REGISTRY_AUTH_FILE: `${dir}/auth.json` }),

    async push(ref, multiPlatform) {
      if (multiPlatform) await run(['manifest', 'push', '--all', ...tls, '--', ref, `docker://${ref}`]);
      else await run(['push', ...tls, '--', ref]);
    },

    async configDigests(ref, multiPlatform) {
      if (!multiPlatform) {
        const id = await imageId(ref);
        return id ? [id] : undefined;
      }
      const list = await run(['manifest', 'inspect', '--', ref], { quiet: true, reject: false });
      if (list.exitCode !== 0) return undefined;
      const instances =
        (JSON.parse(list.stdout) as { manifests?: Array<{ digest: string }> }).manifests ?? [];
      const repository = ref.slice(0, ref.lastIndexOf(':'));
      const ids = await Promise.all(instances.map((m) => imageId(`${repository}@${m.digest}`)));
      return ids.every((id): id is string => id !== undefined) ? ids.sort() : undefined;
    },
  };
}
