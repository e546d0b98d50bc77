import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { remoteFor, tryGit } from '../../core/git.js';
import type { Manifest } from '../../core/manifest.js';
import { devValues, toEdits } from '../../core/version-fields.js';
import { checkEdits } from '../../files/index.js';
import type { ReleaseContext } from '../../kind.js';

/**
 * Before a resumed release re-runs the success step: does the release branch already hold the
 * development version? Then an earlier run (or a person) set it, and the step must not claim to do
 * it again. The branch tip's version files are read from a fetch into a scratch directory; nothing of
 * the user's repository is touched. Returns why it is done, or undefined when it still has to be
 * done (or cannot be told).
 */
export async function devVersionDone(ctx: ReleaseContext, manifest: Manifest): Promise<string | undefined> {
  const dev = manifest.versions.nextDev;
  if (!dev) return undefined;
  const edits = toEdits(manifest.fields, devValues(dev));
  if (edits.length === 0) return undefined;

  const branch = ctx.branch.name;
  const remote = remoteFor(String(ctx.options.repositoryUrl ?? ''), ctx);
  const fetched = await tryGit(
    ctx,
    ['fetch', '--no-tags', '--', remote.url, `refs/heads/${branch}`],
    remote.env,
  );
  if (!fetched.ok) return undefined;
  const scratch = await mkdtemp(path.join(tmpdir(), 'srs-branch-tip-'));
  try {
    const paths = [...new Set(edits.map((e) => e.path))];
    const read = await tryGit(ctx, [`--work-tree=${scratch}`, 'checkout', 'FETCH_HEAD', '--', ...paths]);
    // The checkout above also staged those files in the temporary clone's index: put it back.
    await tryGit(ctx, ['reset', '--quiet', '--', ...paths]);
    if (!read.ok) return undefined;
    const { checked, errors } = await checkEdits(scratch, edits, { caches: ctx.caches.files });
    if (errors.length) return undefined;
    return checked.every((e) => e.oldValue === e.value)
      ? `${branch} already holds the development version ${dev.pep440}`
      : undefined;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
