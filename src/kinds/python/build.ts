import { copyFile, mkdir, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { isStackError } from '../../errors.js';
import { stackError } from './errors.js';
import { exec } from '../../exec.js';
import type { ReleaseContext } from '../../kind.js';
import { committerTime } from '../../core/epoch.js';
import { sha256File, type Artifact } from '../../core/manifest.js';
import { resolveInRepo } from '../../files/safe-path.js';
import { normalizeDistributionName, renderedValue, wheelFileName } from '../../version.js';
import type { PythonConfig } from './config.js';

/**
 * Zip entry times in the wheel: SOURCE_DATE_EPOCH when the environment sets it, else the release
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

const WHEEL_NAME = /^(?<name>[^-]+)-(?<version>[^-]+)(?:-\d[^-]*)?-(?<tags>[^-]+-[^-]+-[^-]+)\.whl$/;

/**
 * The wheel of this distribution and version among what the build wrote: by its exact PEP 427 name,
 * or, for setuptools older than 75.8.1 (which keeps case and dots in the name part), by a name part
 * that normalises to the same project. Never "whatever .whl is there".
 */
export function findWheel(files: readonly string[], distName: string, pep440: string): string | undefined {
  const expected = wheelFileName(distName, pep440);
  if (files.includes(expected)) return expected;
  return files.find((file) => {
    const parts = WHEEL_NAME.exec(file)?.groups;
    return (
      parts?.version === pep440 &&
      parts.tags === 'py3-none-any' &&
      normalizeDistributionName(parts.name!) === normalizeDistributionName(distName)
    );
  });
}

function buildArgs(config: PythonConfig, outdir: string): string[] {
  if (config.builder === 'setup.py') return ['setup.py', 'bdist_wheel', '--dist-dir', outdir];
  return ['-m', 'build', '--wheel', '--outdir', outdir, ...(config.isolation ? [] : ['--no-isolation'])];
}

async function runBuild(config: PythonConfig, ctx: ReleaseContext, outdir: string): Promise<void> {
  const env = { SOURCE_DATE_EPOCH: await sourceDateEpoch(ctx) };
  try {
    await exec(ctx, config.interpreter, buildArgs(config, outdir), { env });
  } catch (error) {
    if (isStackError(error) && error.code === 'ECOMMANDNOTFOUND') {
      throw stackError('EPYTHONMISSING', { interpreter: config.interpreter });
    }
    throw error;
  }
}

/** Copies through a temporary name in the target directory, so a reader never sees half a wheel. */
async function copyInto(file: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, path.basename(file));
  const partial = `${target}.partial`;
  await copyFile(file, partial);
  await rename(partial, target);
}

/**
 * Builds the wheel into a directory of its own, so a wheel left in `dist/` by an earlier build can
 * never be taken for this one, then puts it in `dist/` and in the release artifacts.
 */
export async function buildWheel(
  config: PythonConfig,
  ctx: ReleaseContext,
  distName: string,
): Promise<Artifact> {
  const pep440 = renderedValue(ctx.release.versions.pep440);
  const distDir = await resolveInRepo(ctx.root, config.distDir, 'python.distDir');
  const tmpRoot = path.join(ctx.artifactsDir, '.tmp');
  await mkdir(tmpRoot, { recursive: true });
  const outdir = await mkdtemp(path.join(tmpRoot, 'wheel-'));
  try {
    await runBuild(config, ctx, outdir);
    const produced = (await readdir(outdir)).sort();
    const wheel = findWheel(produced, distName, pep440);
    if (!wheel) {
      throw stackError('EWHEELNOTFOUND', {
        wheel: wheelFileName(distName, pep440),
        dir: 'the build output',
        produced,
      });
    }
    await copyInto(path.join(outdir, wheel), distDir);
    await copyInto(path.join(outdir, wheel), ctx.artifactsDir);
    const { sha256, size } = await sha256File(path.join(ctx.artifactsDir, wheel));
    ctx.logger.log('Built wheel %s (sha256 %s)', wheel, sha256);
    const relative = path.relative(ctx.root, path.join(ctx.artifactsDir, wheel)).split(path.sep).join('/');
    return { kind: 'python', type: 'wheel', name: wheel, path: relative, sha256, size };
  } finally {
    await rm(outdir, { recursive: true, force: true });
    await rmdir(tmpRoot).catch(() => undefined); // other kinds may still be using it
  }
}
