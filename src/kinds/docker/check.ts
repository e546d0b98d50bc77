import { stat } from 'node:fs/promises';
import type { HttpFetch } from '../../core/http.js';
import { stackError } from './errors.js';
import { checkPath } from '../../files/safe-path.js';
import type { StepContext } from '../../kind.js';
import type { Builder } from './builders/builder.js';
import { createBuilder } from './builders/index.js';
import type { DockerConfig, ImageConfig } from './config.js';
import { builderContext } from './login.js';
import { checkRegistryAuth } from './registry.js';

/**
 * verifyConditions for every image, all read-only (it runs in dry-run too): the context and
 * Dockerfile inside the repository, the builder present and running, the platforms buildable, and
 * each registry accepting its image's credentials. No login happens here. A problem several images
 * share (one builder, one context) is reported once.
 */
export async function checkDocker(
  config: DockerConfig,
  ctx: StepContext,
  fetchImpl?: HttpFetch,
): Promise<Error[]> {
  const perImage = await Promise.all(config.images.map((image) => checkImage(image, ctx, fetchImpl)));
  const seen = new Set<string>();
  return perImage.flat().filter((error) => {
    const { code, details } = error as { code?: string; details?: string };
    const key = `${code}: ${error.message}\n${details}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function checkImage(config: ImageConfig, ctx: StepContext, fetchImpl?: HttpFetch): Promise<Error[]> {
  const builder = createBuilder(config.builder, builderContext(config, ctx, fetchImpl));
  // The registry is asked while the builder is: neither answer depends on the other.
  const [paths, builderErrors, registry] = await Promise.all([
    checkPaths(config, ctx),
    checkBuilder(builder, config),
    config.push ? checkRegistryAuth(config, ctx, fetchImpl) : [],
  ]);
  return [...paths, ...builderErrors, ...registry];
}

async function checkBuilder(builder: Builder, config: ImageConfig): Promise<Error[]> {
  const unavailable = await builder.unavailable();
  if (unavailable)
    return [stackError('EDOCKERUNAVAILABLE', { builder: config.builder, reason: unavailable })];
  const errors: Error[] = [];
  if (config.secrets.length) {
    const reason = await builder.secretsProblem();
    if (reason) errors.push(stackError('EDOCKERSECRET', { id: config.secrets.map((s) => s.id), reason }));
  }
  const problem = await builder.platformsProblem(config.platforms);
  if (problem)
    errors.push(
      stackError('EPLATFORMSUNSUPPORTED', {
        builder: config.builder,
        platforms: config.platforms,
        reason: problem,
      }),
    );
  return errors;
}

async function checkPaths(config: ImageConfig, ctx: StepContext): Promise<Error[]> {
  const errors: Error[] = [];
  const context = await checkPath(ctx.root, config.context, `${config.option}.context`, { write: false });
  if (!context.ok) errors.push(context.error);
  else if (!(await isKind(context.abs, 'directory')))
    errors.push(stackError('EDOCKERCONTEXTMISSING', { path: config.context }));
  const dockerfile = await checkPath(ctx.root, config.dockerfile, `${config.option}.dockerfile`, {
    write: false,
  });
  if (!dockerfile.ok) errors.push(dockerfile.error);
  else if (!(await isKind(dockerfile.abs, 'file')))
    errors.push(stackError('EDOCKERFILEMISSING', { path: config.dockerfile }));
  if (config.wheelsDir) {
    const wheels = await checkPath(ctx.root, config.wheelsDir, `${config.option}.wheelsDir`, { write: true });
    if (!wheels.ok) errors.push(wheels.error);
  }
  return errors;
}

async function isKind(abs: string, kind: 'file' | 'directory'): Promise<boolean> {
  const s = await stat(abs).catch(() => undefined);
  return !!s && (kind === 'file' ? s.isFile() : s.isDirectory());
}
