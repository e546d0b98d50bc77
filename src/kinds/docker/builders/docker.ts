import { lstat, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exec } from '../../../exec.js';
import { archiveConfigDigests, openOciArchive, pushOciArchive } from '../../../oci/layout.js';
import { DOCKER_HUB } from '../../../oci/reference.js';
import type { Builder, BuilderContext, BuildRequest } from './builder.js';
import { appendLabels, dockerignoreExcludesItself } from './dockerfile-labels.js';
import { buildFlags, inlineCacheFlags, withPrefix } from './flags.js';

const INSTALL =
  'Install Docker Engine (Debian: `apt-get install docker.io`) or choose `"builder": "podman"` or `"buildah"`.';

/** Docker Engine through the docker CLI; multi-platform needs the buildx plugin. */
export function dockerBuilder(ctx: BuilderContext): Builder {
  const run = (
    args: string[],
    options: { input?: string | Buffer; quiet?: boolean; reject?: boolean } = {},
  ) => exec(ctx, 'docker', args, { env: ctx.authEnv, install: INSTALL, ...options });
  const hasBuildx = async () =>
    (await run(['buildx', 'version'], { quiet: true, reject: false }).catch(() => undefined))?.exitCode === 0;

  /**
   * Whether `docker build` runs BuildKit. DOCKER_BUILDKIT decides when set (the CLI reads it as a Go
   * boolean). Otherwise docker CLI 23 and later build with BuildKit when the buildx plugin is
   * installed, and the 20.10 CLI uses the legacy builder (unless the daemon's `features.buildkit`
   * says otherwise, which is not read here: such a build then only misses the cache).
   */
  async function buildsWithBuildkit(): Promise<boolean> {
    const flag = goBool(ctx.env.DOCKER_BUILDKIT);
    if (flag !== undefined) return flag;
    const client = await run(['version', '--format', '{{.Client.Version}}'], { quiet: true, reject: false });
    const major = Number(/^(\d+)\./.exec(client.stdout.trim())?.[1] ?? 0);
    return major >= 23 && (await hasBuildx());
  }

  /**
   * The legacy builder's cache: it reuses a step only from an image in the local store, so the
   * image is pulled first (with the run's login). A failed pull is not an error: the build runs
   * without the cache.
   */
  async function pulledCache(request: BuildRequest): Promise<string[]> {
    const from = request.cache?.from;
    if (!from) return [];
    const pulled = await run(['pull', '--', from], { quiet: true, reject: false });
    if (pulled.exitCode === 0) return ['--cache-from', from];
    ctx.logger.log('Building without cache: `docker pull %s` failed (%s)', from, lastLine(pulled.stderr));
    return [];
  }

  return {
    name: 'docker',

    async unavailable() {
      // `docker version` asks the daemon too: it fails when the daemon is not running (read-only).
      const result = await run(['version', '--format', '{{.Server.Version}}'], {
        quiet: true,
        reject: false,
      }).catch((error: Error) => ({ exitCode: -1, stdout: '', stderr: error.message }));
      if (result.exitCode === 0 && result.stdout.trim()) return undefined;
      if (result.exitCode === -1) return `the docker CLI was not found. ${INSTALL}`;
      return `the Docker daemon does not answer (${lastLine(result.stderr)}). Start it (\`sudo systemctl start docker\`, or \`dockerd\`), or point DOCKER_HOST at a running one.`;
    },

    async platformsProblem(platforms) {
      if (platforms.length === 0 || (await hasBuildx())) return undefined;
      return 'docker builds several platforms only with the buildx plugin, which is not installed; install docker-buildx, or use `"builder": "podman"` or `"buildah"`';
    },

    async secretsProblem() {
      if (await hasBuildx()) return undefined;
      return 'docker passes build secrets only through BuildKit, which the docker CLI runs with the buildx plugin, and it is not installed; install docker-buildx, or use `"builder": "podman"` or `"buildah"`';
    },

    async build(request: BuildRequest) {
      if (request.platforms.length > 0) {
        const output = `type=oci,dest=${ctx.ociArchive}`;
        await run([
          'buildx',
          'build',
          '--platform',
          request.platforms.join(','),
          '--output',
          output,
          ...buildFlags(request),
          ...inlineCacheFlags(request.cache),
          '--',
          request.contextDir,
        ]);
        return;
      }
      const cache = !request.cache
        ? []
        : (await buildsWithBuildkit())
          ? inlineCacheFlags(request.cache)
          : await pulledCache(request);
      const labelled = await labelledDockerfile(request);
      if (!labelled) {
        await run(['build', ...buildFlags(request), ...cache, '--', request.contextDir]);
        return;
      }
      const flags = buildFlags({ ...request, dockerfile: '-', labels: labelled.flagLabels });
      await run(['build', ...flags, ...cache, '--', request.contextDir], { input: labelled.dockerfile });
    },

    async tag(source, target, multiPlatform) {
      // A multi-platform build lives in the OCI archive; its tags are set in the registry at push.
      if (!multiPlatform) await run(['tag', '--', source, target], { quiet: true });
    },

    async login(registry, credentials) {
      // Not `docker login`: in a config that holds no login yet, docker looks for the platform's
      // credential helper (docker-credential-pass or -secretservice on Linux, -osxkeychain on macOS)
      // and, when one is installed, stores the password there, in the user's keychain, where
      // removing this run's folder does not reach it. The login is written as docker's own file
      // store writes it; a config that holds a login is never given a helper, so every later call
      // reads it from here. For a pushed image, verifyConditions has already asked the registry
      // whether it accepts the credentials (EDOCKERAUTH); this also spares a process and a round
      // trip in each step.
      const dir = ctx.authEnv.DOCKER_CONFIG;
      if (!dir) throw new Error('the docker login needs the run’s own DOCKER_CONFIG (authEnvFor)');
      const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
      const config = { auths: { [dockerConfigKey(registry)]: { auth } } };
      await writeFile(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
    },

    authEnvFor: (dir) => ({ DOCKER_CONFIG: dir }),

    async push(ref, multiPlatform) {
      if (!multiPlatform) {
        await run(['push', '--', ref]);
        return;
      }
      const { client, repository } = await ctx.registry();
      const archive = await openOciArchive(ctx.ociArchive);
      try {
        const digest = await pushOciArchive(client, repository, archive, ref.slice(ref.lastIndexOf(':') + 1));
        ctx.logger.log('%s: digest: %s', ref, digest);
      } finally {
        await archive.close();
      }
    },

    async configDigests(ref, multiPlatform) {
      if (multiPlatform) {
        const archive = await openOciArchive(ctx.ociArchive).catch(() => undefined);
        if (!archive) return undefined;
        try {
          return await archiveConfigDigests(archive);
        } finally {
          await archive.close();
        }
      }
      // For Docker's image store the image ID is the digest of the image's config blob.
      const result = await run(['image', 'inspect', '--format', '{{.Id}}', '--', ref], {
        quiet: true,
        reject: false,
      });
      if (result.exitCode !== 0) return undefined;
      return [withPrefix(result.stdout.trim())];
    },
  };
}

/**
 * `docker build` without buildx is the legacy builder, which makes every `--label` a step of its own
 * (a container created and committed, ~1 s each); the Dockerfile with one `LABEL` line appended,
 * passed on stdin, sets them all in one step. BuildKit stores labels without a step, and the appended
 * line costs it nothing either. Undefined (keep the flags) when there are no labels, and when stdin
 * would change what the build sees:
 * - the Dockerfile has a `<Dockerfile>.dockerignore` of its own: BuildKit reads it only next to a
 *   Dockerfile on disk, and would fall back to the context's `.dockerignore`;
 * - the context's `.dockerignore` does not exclude itself: the CLI adds a line to it for the stdin
 *   Dockerfile, and the legacy builder would let a `COPY . …` put that changed file in the image.
 */
async function labelledDockerfile(request: BuildRequest) {
  if (Object.keys(request.labels).length === 0) return undefined;
  if (await stat(`${request.dockerfile}.dockerignore`).catch(() => undefined)) return undefined;
  const ignoreFile = path.join(request.contextDir, '.dockerignore');
  const ignore = await lstat(ignoreFile).catch(() => undefined);
  if (ignore && !(ignore.isFile() && dockerignoreExcludesItself(await readFile(ignoreFile, 'utf8'))))
    return undefined;
  return appendLabels(await readFile(request.dockerfile), request.labels);
}

/** Go's strconv.ParseBool, as the docker CLI reads DOCKER_BUILDKIT; undefined when unset or not a boolean. */
function goBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

const lastLine = (text: string) => text.trim().split('\n').pop()?.trim() || 'no output';

/**
 * The key docker stores a registry's login under: Docker Hub's (`docker.io`, which image names with
 * `index.docker.io` are normalized to) is its legacy index URL, any other registry's its host.
 */
export function dockerConfigKey(registry: string): string {
  return registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
}
