import path from 'node:path';
import type { BranchInfo, ReleaseContext, StepContext } from '../kind.js';
import type { Logger } from '../logger.js';
import { createRedactor } from '../redact.js';
import { createCaches, type PluginCaches } from './caches.js';
import { createHttpClient } from './http.js';
import { proxyPasswords } from './proxy.js';
import { renderRelease, type BranchKind, type PrereleaseMap } from '../version.js';

/** The parts of semantic-release's context this package reads (a structural subset of its types). */
export interface SrContext {
  cwd?: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  options?: Record<string, unknown>;
  branch?: { name: string; type?: string; main?: boolean; prerelease?: string | boolean; channel?: unknown };
  /** `channels`: where semantic-release released the tag (null: the default channel), from its note. */
  branches?: Array<{
    tags?: Array<{ version?: string; gitTag?: string; channels?: Array<string | null> }>;
  }>;
  nextRelease?: { version: string; gitTag: string; gitHead: string; channel?: string | null; notes?: string };
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
  const http = createHttpClient({ env: context.env });
  const redactor = createRedactor(context.env);
  for (const password of proxyPasswords(http.proxies)) redactor.add(password);
  return {
    root,
    cwd: root,
    env: context.env,
    logger: context.logger,
    redactor,
    http,
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

export function releaseContext(
  context: SrContext,
  options: RenderOptions,
  caches: PluginCaches = createCaches(),
): ReleaseContext {
  const base = stepContext(context, caches);
  const next = context.nextRelease;
  if (!next) throw new Error('semantic-release did not provide nextRelease to a release step');
  const tags = (context.branches ?? []).flatMap((b) => b.tags ?? []);
  const versionsOf = (list: typeof tags) => [
    ...new Set(list.map((t) => t.version).filter((v): v is string => typeof v === 'string')),
  ];
  // A tag whose channels are not known (a resumed release reads bare tags) counts as the default's:
  // the "latest" rule then errs towards leaving latest where it is.
  return {
    ...base,
    release: {
      version: next.version,
      gitTag: next.gitTag,
      gitHead: next.gitHead,
      channel: next.channel ?? undefined,
      versions: renderRelease(next.version, { ...options, branch: base.branch.kind }),
    },
    lastRelease:
      context.lastRelease?.version && context.lastRelease.gitTag
        ? { version: context.lastRelease.version, gitTag: context.lastRelease.gitTag }
        : undefined,
    releasedVersions: versionsOf(tags),
    defaultChannelVersions: versionsOf(tags.filter((t) => !t.channels || t.channels.includes(null))),
  };
}
