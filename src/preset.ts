/*
 * `semantic-release-stack/preset`: a shareable config (`"extends"`) that wires the whole release in
 * the right order. Stack options go at the top level of the user's config, next to `extends`
 * (semantic-release hands top-level keys to every plugin, and the composite reads its sections
 * there). For other changes, build the config with `createPreset` in a `release.config.mjs`.
 * What it knows of each kind (assets, version files) is the kind's own declaration.
 */
import { ARTIFACTS_DIR } from './core/context.js';
import { CHECKSUMS_FILE, MANIFEST_FILE } from './core/manifest.js';
import { githubAssetGlobs } from './kind.js';
import { KINDS } from './kinds/index.js';
import { SIGN_ASSET_GLOBS } from './sign/assets.js';

/**
 * The composite's options: one section per kind (its name), `true` or its options object; and
 * `sign` (Sigstore signatures, provenance and SBOMs: `true`, or a private instance's URLs).
 */
export type StackOptions = Record<string, boolean | Record<string, unknown> | undefined>;

export interface PresetOptions {
  /** Options of the composite plugin; when absent, it reads its sections from the top level. */
  stack?: StackOptions;
  branches?: unknown[];
  changelogFile?: string;
  /** Extra files for @semantic-release/git to commit with the release. */
  extraAssets?: string[];
  /** Options merged into @semantic-release/github's (e.g. `successComment: false`). */
  github?: Record<string, unknown>;
}

export const DEFAULT_BRANCHES = [
  '+([0-9])?(.{+([0-9]),x}).x',
  'main',
  'master',
  { name: 'beta', prerelease: true },
];

/** Where version files usually are; @semantic-release/git commits only those of them that changed. */
export const DEFAULT_VERSION_FILE_PATTERNS = KINDS.flatMap((k) => k.preset?.defaultVersionFiles ?? []);

/**
 * Release artifacts attached to the GitHub release: each kind's files, the manifest and checksums,
 * and with `sign` the Sigstore bundles and SBOMs (globs that match nothing attach nothing).
 */
export const GITHUB_ASSETS = [
  ...[...githubAssetGlobs(KINDS), MANIFEST_FILE, CHECKSUMS_FILE].map((glob) => ({
    path: `${ARTIFACTS_DIR}/${glob}`,
  })),
  ...SIGN_ASSET_GLOBS.map((glob) => ({ path: glob })),
];

function versionFilesOf(stack: StackOptions): string[] | undefined {
  const files = KINDS.flatMap((kind) => {
    const options = stack[kind.name];
    return options ? (kind.preset?.versionFiles?.(options === true ? {} : options) ?? []) : [];
  });
  return files.length ? files : undefined;
}

export function createPreset(options: PresetOptions = {}) {
  const changelogFile = options.changelogFile ?? 'CHANGELOG.md';
  const versionFiles = options.stack ? versionFilesOf(options.stack) : undefined;
  return {
    branches: options.branches ?? DEFAULT_BRANCHES,
    plugins: [
      '@semantic-release/commit-analyzer',
      '@semantic-release/release-notes-generator',
      ['@semantic-release/changelog', { changelogFile }],
      options.stack ? ['semantic-release-stack', options.stack] : 'semantic-release-stack',
      [
        '@semantic-release/git',
        {
          assets: [
            ...(versionFiles ?? DEFAULT_VERSION_FILE_PATTERNS),
            changelogFile,
            ...(options.extraAssets ?? []),
          ],
          message: 'chore(release): ${nextRelease.version} [skip ci]\n\n${nextRelease.notes}',
        },
      ],
      ['@semantic-release/github', { assets: GITHUB_ASSETS, ...options.github }],
      // GitHub's Latest release follows the "latest" rule (version.ts) through @semantic-release/github
      // itself on publish: read in 12.0.10, it sends make_latest "true" for the first release branch
      // and "false" for maintenance, prerelease and other release branches. Its addChannel sends none,
      // which GitHub takes as "true" (a new maintenance branch's base release would become Latest):
      // this step, right after it, puts Latest back (github/latest.ts).
      'semantic-release-stack/github-latest',
    ],
  };
}

export default createPreset();
