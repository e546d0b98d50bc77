import { mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HttpFetch } from '../../core/http.js';
import type { StepContext } from '../../kind.js';
import type { Builder, BuilderContext } from './builders/builder.js';
import { createBuilder } from './builders/index.js';
import type { ImageConfig } from './config.js';
import { registryClient } from './registry.js';

/**
 * Runs `work` with a builder logged in to the image's registry. With DOCKER_REGISTRY_USER/_PASSWORD
 * the login goes into a directory of this run's own (mode 0700, passed as DOCKER_CONFIG or
 * REGISTRY_AUTH_FILE to every call) that is removed afterwards, so `~/.docker` is never written.
 * Without them the builder uses whatever login the user already has.
 */
export async function withBuilder<T>(
  config: ImageConfig,
  ctx: StepContext,
  work: (builder: Builder) => Promise<T>,
  fetchImpl?: HttpFetch,
): Promise<T> {
  const base = builderContext(config, ctx, fetchImpl);
  if (!config.credentials) return work(createBuilder(config.builder, base));
  const dir = await mkdtemp(path.join(tmpdir(), 'srs-registry-auth-'));
  try {
    const authEnv = createBuilder(config.builder, base).authEnvFor(dir);
    if (config.builder === 'docker') await linkCliPlugins(ctx, dir);
    const builder = createBuilder(config.builder, { ...base, authEnv });
    await builder.login(config.image.registry, config.credentials);
    return await work(builder);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The builder's settings for this image; the registry client is made on first use. */
export function builderContext(config: ImageConfig, ctx: StepContext, fetchImpl?: HttpFetch): BuilderContext {
  return {
    ...ctx,
    authEnv: {},
    insecureRegistry: config.insecureRegistry,
    ociArchive: path.join(ctx.artifactsDir, `oci-${config.buildOf.replace(/[^A-Za-z0-9.-]+/g, '_')}.tar`),
    registry: async () => ({
      client: await registryClient(config, ctx, fetchImpl),
      repository: config.image.repository,
    }),
  };
}

/** A user's CLI plugins (buildx) live in the docker config dir; keep them visible from ours. */
async function linkCliPlugins(ctx: StepContext, dir: string): Promise<void> {
  const home = ctx.env.DOCKER_CONFIG ?? (ctx.env.HOME ? path.join(ctx.env.HOME, '.docker') : undefined);
  if (!home) return;
  const plugins = path.join(home, 'cli-plugins');
  if (
    await stat(plugins).then(
      (s) => s.isDirectory(),
      () => false,
    )
  )
    await symlink(plugins, path.join(dir, 'cli-plugins'));
}
