import { copyFile, mkdir, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { isStackError, throwAll } from '../../errors.js';
import { stackError } from './errors.js';
import { exec } from '../../exec.js';
import type { ReleaseContext } from '../../kind.js';
import { committerTime } from '../../core/epoch.js';
import { sha256File, type Artifact } from '../../core/manifest.js';
import { resolveInRepo } from '../../files/safe-path.js';
import { renderedValue, sdistFileName, wheelFileName } from '../../version.js';
import type { PythonConfig } from './config.js';
import { checkDistributions } from './dist-check.js';
import { findSdist, findWheel, otherVersions } from './dist-files.js';
import { makeSdistReproducible } from './reproducible-sdist.js';
import { pretendVersionEnv } from './version-source.js';

/**
 * Entry times in the wheel and the sdist: SOURCE_DATE_EPOCH when the environment sets it, else the release
 * commit's committer time, so the same commit builds the same bytes.
 */
export async function sourceDateEpoch(ctx: ReleaseContext): Promise<string> {
  const given = ctx.env.SOURCE_DATE_EPOCH;
  if (given) {
    if (!/^\d+$/.test(given)) throw stackError('ESOURCEDATEEPOCH', { value: given });
    return given;
  }
  const head = ctx.release.gitHead;
  if (head.startsWith('-')) throw new Error(`refusing git revision ${head}`);
  return committerTime(ctx, head);
}

export function buildArgs(config: PythonConfig, outdir: string): string[] {
  if (config.builder === 'setup.py') {
    const sdist = config.sdist ? ['sdist', '--dist-dir', outdir] : [];
    return ['setup.py', ...sdist, 'bdist_wheel', '--dist-dir', outdir];
  }
  return [
    '-m',
    'build',
    ...(config.sdist ? ['--sdist'] : []),
    '--wheel',
    '--outdir',
    outdir,
    ...(config.isolation ? [] : ['--no-isolation']),
    ...(config.skipDependencyCheck ? ['--skip-dependency-check'] : []),
  ];
}

/** The requirements `python -m build` lists after "Missing dependencies:", one per indented line. */
export function missingDependencies(output: string): string[] {
  const at = output.indexOf('Missing dependencies:');
  if (at < 0) return [];
  const lines = output.slice(at).split('\n').slice(1);
  const listed: string[] = [];
  for (const line of lines) {
    if (!/^\s+\S/.test(line)) break;
    listed.push(line.trim());
  }
  return listed;
}

async function runBuild(
  config: PythonConfig,
  ctx: ReleaseContext,
  outdir: string,
  distName: string,
  epoch: string,
) {
  const env = {
    SOURCE_DATE_EPOCH: epoch,
    ...(config.versionScheme === 'files'
      ? {}
      : pretendVersionEnv(distName, renderedValue(ctx.release.versions.pep440))),
  };
  try {
    await exec(ctx, config.interpreter, buildArgs(config, outdir), { env });
  } catch (error) {
    if (isStackError(error) && error.code === 'ECOMMANDNOTFOUND') {
      throw stackError('EPYTHONMISSING', { interpreter: config.interpreter });
    }
    const missing = isStackError(error) ? missingDependencies(error.details) : [];
    if (missing.length) throw stackError('EPYTHONBUILDDEPS', { interpreter: config.interpreter, missing });
    throw error;
  }
}

/** Copies through a temporary name in the target directory, so a reader never sees half a file. */
async function copyInto(file: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, path.basename(file));
  const partial = `${target}.partial`;
  await copyFile(file, partial);
  await rename(partial, target);
}

/** This release's files among what the build wrote, by their expected names; every miss reported. */
function pickDistributions(config: PythonConfig, produced: string[], distName: string, pep440: string) {
  const wheel = findWheel(produced, distName, pep440);
  const sdist = config.sdist ? findSdist(produced, distName, pep440) : undefined;
  const errors: Error[] = [];
  const other = otherVersions(produced, distName, pep440);
  if (other.length && (!wheel || (config.sdist && !sdist))) {
    // The backend built the project, but not at the version the release wrote.
    errors.push(
      stackError('EPYTHONDISTVERSION', { file: other[0]!.file, found: other[0]!.version, expected: pep440 }),
    );
  } else {
    if (!wheel) {
      errors.push(
        stackError('EWHEELNOTFOUND', {
          wheel: wheelFileName(distName, pep440),
          dir: 'the build output',
          produced,
        }),
      );
    }
    if (config.sdist && !sdist) {
      errors.push(
        stackError('ESDISTNOTFOUND', {
          sdist: sdistFileName(distName, pep440),
          dir: 'the build output',
          produced,
        }),
      );
    }
  }
  throwAll(errors);
  return { wheel: wheel!, sdist };
}

async function record(ctx: ReleaseContext, file: string, type: 'wheel' | 'sdist'): Promise<Artifact> {
  const name = path.basename(file);
  const { sha256, size } = await sha256File(path.join(ctx.artifactsDir, name));
  ctx.logger.log('Built %s %s (sha256 %s)', type, name, sha256);
  const relative = path.relative(ctx.root, path.join(ctx.artifactsDir, name)).split(path.sep).join('/');
  return { kind: 'python', type, name, path: relative, sha256, size };
}

/**
 * Builds the wheel (and the sdist) into a directory of their own, so a file left in `dist/` by an
 * earlier build can never be taken for this one; checks what they say about themselves; then puts
 * them in `dist/` and in the release artifacts.
 */
export async function buildDistributions(
  config: PythonConfig,
  ctx: ReleaseContext,
  distName: string,
): Promise<Artifact[]> {
  const pep440 = renderedValue(ctx.release.versions.pep440);
  const distDir = await resolveInRepo(ctx.root, config.distDir, 'python.distDir');
  const tmpRoot = path.join(ctx.artifactsDir, '.tmp');
  await mkdir(tmpRoot, { recursive: true });
  const outdir = await mkdtemp(path.join(tmpRoot, 'python-'));
  try {
    const epoch = await sourceDateEpoch(ctx);
    await runBuild(config, ctx, outdir, distName, epoch);
    const produced = (await readdir(outdir)).sort();
    const { wheel, sdist } = pickDistributions(config, produced, distName, pep440);
    if (sdist) await makeSdistReproducible(config.interpreter, ctx, path.join(outdir, sdist), epoch);
    const built: Array<{ file: string; type: 'wheel' | 'sdist' }> = [
      { file: path.join(outdir, wheel), type: 'wheel' },
      ...(sdist ? [{ file: path.join(outdir, sdist), type: 'sdist' as const }] : []),
    ];
    throwAll(
      await checkDistributions(
        config,
        ctx,
        built.map((b) => b.file),
        pep440,
      ),
    );
    const artifacts: Artifact[] = [];
    for (const { file, type } of built) {
      await copyInto(file, distDir);
      await copyInto(file, ctx.artifactsDir);
      artifacts.push(await record(ctx, file, type));
    }
    return artifacts;
  } finally {
    await rm(outdir, { recursive: true, force: true });
    await rmdir(tmpRoot).catch(() => undefined); // other kinds may still be using it
  }
}
