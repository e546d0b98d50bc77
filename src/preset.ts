/**
 * `semantic-release-stack/preset`: a shareable config (`"extends"`) that wires the whole release in
 * the right order. Stack options go at the top level of the user's config, next to `extends`
 * (semantic-release hands top-level keys to every plugin, and the composite reads its sections
 * there). For other changes, build the config with `createPreset` in a `release.config.mjs`.
 */
import { SIGN_ASSET_GLOBS } from './sign/assets.js';

export interface StackOptions {
  python?: boolean | { versionFiles?: Array<string | { path: string }>; [key: string]: unknown };
  docs?: boolean | Record<string, unknown>;
  docker?: boolean | Record<string, unknown>;
  helm?: boolean | { chart?: string; valuesFile?: string; [key: string]: unknown };
  devVersion?: boolean | Record<string, unknown>;
  /** Sigstore signatures, provenance and SBOMs: `true`, or a private instance's URLs. */
  sign?: boolean | { fulcioUrl?: string; rekorUrl?: string; tsaUrl?: string };
}

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
export const DEFAULT_VERSION_FILE_PATTERNS = [
  'pyproject.toml',
  'setup.cfg',
  '**/pkg_info.json',
  '**/_version.py',
  '**/__version__.py',
  '**/__about__.py',
  '**/Chart.yaml',
  '**/values.yaml',
];

/**
 * Release artifacts attached to the GitHub release: docs archive, chart, wheel, sdist, manifest, checksums,
 * and with `sign` the Sigstore bundles and SBOMs (globs that match nothing attach nothing).
 */
export const GITHUB_ASSETS = [
  { path: 'release-artifacts/*.tgz' },
  { path: 'release-artifacts/*.whl' },
  { path: 'release-artifacts/*.tar.gz' },
  { path: 'release-artifacts/manifest.json' },
  { path: 'release-artifacts/SHA256SUMS' },
  ...SIGN_ASSET_GLOBS.map((glob) => ({ path: glob })),
];

function versionFilesOf(stack: StackOptions): string[] | undefined {
  const files: string[] = [];
  const python = typeof stack.python === 'object' ? stack.python : undefined;
  for (const f of python?.versionFiles ?? []) files.push(typeof f === 'string' ? f : f.path);
  const helm = typeof stack.helm === 'object' ? stack.helm : undefined;
  if (helm?.chart) {
    const chart = helm.chart.replace(/\/$/, '');
    files.push(`${chart}/Chart.yaml`, `${chart}/${helm.valuesFile ?? 'values.yaml'}`);
  }
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
    ],
  };
}

export default createPreset();
