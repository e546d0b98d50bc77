import { stackError } from './errors.js';
import { applyEdits } from '../../files/index.js';
import { defineKind, type Outcome, type ReleaseContext } from '../../kind.js';
import { devValues, toEdits } from '../../core/version-fields.js';
import type { Manifest } from '../../core/manifest.js';
import { resolveDevVersionConfig, type DevVersionConfig } from './config.js';
import { devVersionDone } from './done.js';
import { DEV_VERSION_ERRORS } from './errors.js';
import { checkDevVersionPush } from './protected-branch.js';
import { commitAndPush } from './push.js';
import { problemError, renderedValue, type DevVersion } from '../../version.js';

/**
 * After the release, the next development version goes into the same version fields (recorded in the
 * release manifest at prepare), is committed alone and pushed to the release branch.
 */
export const devVersionKind = defineKind<DevVersionConfig>({
  name: 'devVersion',
  entry: 'dev-version',
  artifacts: [],
  errors: DEV_VERSION_ERRORS,
  successDone: (_config, ctx, manifest) => devVersionDone(ctx, manifest),
  resolveConfig: (raw) => resolveDevVersionConfig(raw),
  versionOptions: (config) => ({ devAfterPrerelease: config.afterPrerelease }),
  renderings: () => [{ rendering: 'nextDev', option: 'devVersion' }],
  renderingError: (problem, needs) =>
    problemError(problem, {
      neededBy: needs.map((n) => `\`${n.option}\``).join(', '),
      fix: 'Set `"devVersion": { "afterPrerelease": false }` (no development version after a prerelease), or rename the prerelease branch\'s channel to alpha, beta or rc.',
    }),
  check: (config, ctx) => checkDevVersionPush(config, ctx),

  plan(_config, ctx) {
    const dev = renderedValue(ctx.release.versions.nextDev);
    return [
      {
        action: 'dev',
        text: dev
          ? `set the next development version ${dev.pep440} (chart ${dev.chartVersion}) and push it to ${ctx.branch.name}`
          : `no development version after ${ctx.release.version} (${ctx.branch.kind} branch)`,
      },
    ];
  },

  async success(config, ctx, manifest) {
    const dev = renderedValue(ctx.release.versions.nextDev);
    if (!dev) {
      ctx.logger.log('No development version after %s.', ctx.release.version);
      return [];
    }
    return writeDevVersion(config, ctx, manifest, dev);
  },
});

async function writeDevVersion(
  config: DevVersionConfig,
  ctx: ReleaseContext,
  manifest: Manifest,
  dev: DevVersion,
): Promise<Outcome[]> {
  const edits = toEdits(manifest.fields, devValues(dev));
  if (edits.length === 0) {
    ctx.logger.log(
      'No version files recorded for %s; nothing to set to %s.',
      ctx.release.version,
      dev.pep440,
    );
    return [];
  }
  let changes;
  try {
    changes = await applyEdits(ctx.root, edits, { caches: ctx.caches.files });
  } catch (error) {
    throw stackError('EDEVBUMP', { version: dev.pep440, reason: (error as Error).message });
  }
  const what = `the development version ${dev.pep440} on ${ctx.branch.name}`;
  const paths = [...new Set(changes.map((c) => c.path))];
  if (paths.length === 0) return [{ status: 'already-there', what, why: 'is already in the version files' }];
  await commitAndPush(ctx, {
    paths,
    message: config.message.replaceAll('{version}', dev.pep440),
    attempts: config.pushAttempts,
    version: dev.pep440,
  });
  ctx.logger.success('Set the development version %s and pushed it to %s.', dev.pep440, ctx.branch.name);
  return [{ status: 'published', what }];
}
