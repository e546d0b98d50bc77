import path from 'node:path';
import { stackError, isStackError } from '../errors.js';
import type { BranchInfo, ReleaseContext, StepContext } from '../kind.js';
import type { Logger } from '../logger.js';
import { createRedactor } from '../redact.js';
import { createCaches, type PluginCaches } from './caches.js';
import { renderVersion, type BranchKind, type PrereleaseMap, type Renderings } from '../version.js';

/** The parts of semantic-release's context this package reads (a structural subset of its types). */
export interface SrContext {
  cwd?: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  options?: Record<string, unknown>;
  branch?: { name: string; type?: string; main?: boolean; prerelease?: string | boolean; channel?: unknown };
  branches?: Array<{ tags?: Array<{ version?: string }> }>;
  nextRelease?: { version: string; gitTag: string; gitHead: string; channel?: string | null };
  lastRelease?: { version?: string; gitTag?: string };
}

export const ARTIFACTS_DIR = 'release-artifacts';

export function branchInfo(branch: SrContext['branch']): BranchInfo {
  const kind: BranchKind =
    branch?.type === 'maintenance' ? 'maintenance' : branch?.type === 'prerelease' ? 'prerelease' : 'release';
  return {
    name: branch?.name ?? 'main',
    kind,
    main: branch?.main ?? kind === 'release',
    prerelease: typeof branch?.prerelease === 'string' ? branch.prerelease : undefined,
  };
}

/** The step's context; `caches` are the plugin instance's (a fresh set when none is given). */
export function stepContext(context: SrContext, caches: PluginCaches = createCaches()): StepContext {
  const root = path.resolve(context.cwd ?? '.');
  const options = context.options ?? {};
  return {
    root,
    cwd: root,
    env: context.env,
    logger: context.logger,
    redactor: createRedactor(context.env),
    dryRun: options.dryRun === true,
    branch: branchInfo(context.branch),
    options,
    artifactsDir: path.join(root, ARTIFACTS_DIR),
    caches,
  };
}

export interface RenderOptions {
  prereleaseMap?: PrereleaseMap;
  devAfterPrerelease?: boolean;
}

/**
 * Every rendering of the release version. Only Python needs PEP 440, so a prerelease channel PEP 440
 * cannot express must not stop a release that has no Python kind: the error is kept and thrown when
 * `pep440` is read (the python kind reads it in verifyRelease and reports EPRERELEASEMAP there).
 */
export function renderRelease(version: string, branch: BranchKind, options: RenderOptions): Renderings {
  const opts = {
    prereleaseMap: options.prereleaseMap,
    branch,
    devAfterPrerelease: options.devAfterPrerelease,
  };
  try {
    return renderVersion(version, opts);
  } catch (error) {
    if (!isStackError(error) || error.code !== 'EPRERELEASEMAP') throw error;
    const channel = /-([0-9A-Za-z-]+)/.exec(version)?.[1] ?? '';
    const renderings = renderVersion(version, {
      ...opts,
      prereleaseMap: { ...opts.prereleaseMap, [channel]: 'rc' },
    });
    Object.defineProperty(renderings, 'pep440', {
      enumerable: true,
      get() {
        throw stackError('EPRERELEASEMAP', { channel });
      },
    });
    return renderings;
  }
}

export function releaseContext(
  context: SrContext,
  options: RenderOptions,
  caches: PluginCaches = createCaches(),
): ReleaseContext {
  const base = stepContext(context, caches);
  const next = context.nextRelease;
  if (!next) throw new Error('semantic-release did not provide nextRelease to a release step');
  const releasedVersions = (context.branches ?? []).flatMap((b) =>
    (b.tags ?? []).map((t) => t.version).filter((v): v is string => typeof v === 'string'),
  );
  return {
    ...base,
    release: {
      version: next.version,
      gitTag: next.gitTag,
      gitHead: next.gitHead,
      channel: next.channel ?? undefined,
      versions: renderRelease(next.version, base.branch.kind, options),
    },
    lastRelease:
      context.lastRelease?.version && context.lastRelease.gitTag
        ? { version: context.lastRelease.version, gitTag: context.lastRelease.gitTag }
        : undefined,
    releasedVersions: [...new Set(releasedVersions)],
  };
}
