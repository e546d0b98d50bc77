import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecContext } from '../exec.js';
import { checkEdits } from '../files/index.js';
import { remoteFor, tryGit } from './git.js';
import { readManifest } from './manifest.js';
import { devValues, toEdits } from './version-fields.js';

/**
 * Before a resumed release re-runs the success step (dev version, chart index): does the release
 * branch already hold the development version? Then an earlier run (or a person) set it, and the
 * step must not claim to do it again. The branch tip's version files are read from a fetch into a
 * scratch directory; nothing of the user's repository is touched.
 */
export type DevVersionState = 'none' | 'set' | 'missing' | 'unknown';

export async function devVersionState(
  ctx: ExecContext,
  checkout: string,
  repositoryUrl: string,
  branch: string,
): Promise<{ state: DevVersionState; reason: string }> {
  const manifest = await readManifest(path.join(checkout, 'release-artifacts'));
  const dev = manifest?.versions.nextDev;
  if (!manifest || !dev) return { state: 'none', reason: 'no development version follows this release' };
  const edits = toEdits(manifest.fields, devValues(dev));
  if (edits.length === 0) return { state: 'none', reason: 'no version files were recorded' };

  const at = { ...ctx, cwd: checkout };
  const remote = remoteFor(repositoryUrl, ctx);
  const fetched = await tryGit(
    at,
    ['fetch', '--no-tags', '--', remote.url, `refs/heads/${branch}`],
    remote.env,
  );
  if (!fetched.ok) return { state: 'unknown', reason: `could not fetch ${branch}` };
  const scratch = await mkdtemp(path.join(tmpdir(), 'srs-branch-tip-'));
  try {
    const paths = [...new Set(edits.map((e) => e.path))];
    const read = await tryGit(at, [`--work-tree=${scratch}`, 'checkout', 'FETCH_HEAD', '--', ...paths]);
    // The checkout above also staged those files in the temporary clone's index: put it back.
    await tryGit(at, ['reset', '--quiet', '--', ...paths]);
    if (!read.ok) return { state: 'missing', reason: `${branch} lacks a version file` };
    const { checked, errors } = await checkEdits(scratch, edits);
    if (errors.length) return { state: 'missing', reason: `a version file on ${branch} cannot be read` };
    const set = checked.every((e) => e.oldValue === e.value);
    return set
      ? { state: 'set', reason: `${branch} already holds the development version ${dev.pep440}` }
      : { state: 'missing', reason: `${branch} does not hold ${dev.pep440} yet` };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
