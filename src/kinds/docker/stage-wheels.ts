import { copyFile, mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { stackError } from './errors.js';
import type { Artifact, Manifest } from '../../core/manifest.js';
import { assertNotSymlink, resolveInRepo } from '../../files/safe-path.js';
import type { ReleaseContext } from '../../kind.js';
import type { ImageConfig } from './config.js';

/**
 * Puts exactly this run's wheels into `<context>/<wheelsDir>`: every `*.whl` already there is removed
 * first, so a wheel of an earlier build can never end up in the image. Other files (a `.gitkeep`)
 * stay. The wheels come from the release manifest, never from a glob over `dist/`.
 */
export async function stageWheels(
  config: ImageConfig,
  ctx: ReleaseContext,
  manifest: Manifest,
): Promise<string[]> {
  if (config.wheelsDir === false) return [];
  const wheels = manifest.artifacts.filter(
    (a): a is Artifact & { path: string } => a.type === 'wheel' && !!a.path,
  );
  if (wheels.length === 0) throw stackError('EDOCKERNOWHEEL', { dir: config.wheelsDir });
  const dir = await resolveInRepo(ctx.root, config.wheelsDir, `${config.option}.wheelsDir`);
  await assertNotSymlink(dir, `${config.option}.wheelsDir`, config.wheelsDir);
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.endsWith('.whl')) {
      await unlink(path.join(dir, entry.name));
      ctx.logger.log('Removed stale wheel %s', path.posix.join(config.wheelsDir, entry.name));
    }
  }
  const staged: string[] = [];
  for (const wheel of wheels) {
    const source = await resolveInRepo(ctx.root, wheel.path, 'python wheel');
    const target = path.posix.join(config.wheelsDir, path.basename(wheel.path));
    await copyFile(source, path.join(dir, path.basename(wheel.path)));
    ctx.logger.log('Staged %s as %s', wheel.path, target);
    staged.push(target);
  }
  return staged;
}
