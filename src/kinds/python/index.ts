import { defineKind, type VersionField } from '../../kind.js';
import { problemError, renderedValue } from '../../version.js';
import { stackError } from './errors.js';
import { setRender } from '../../core/version-fields.js';
import { resolvePythonConfig, type PythonConfig } from './config.js';
import { buildDistributions } from './build.js';
import { checkPythonBuild } from './check.js';
import { planRelease, planWithoutBuild } from './plan.js';
import { distributionName } from './project.js';
import { PYTHON_ERRORS } from './errors.js';
import { publishDistributions } from './publish.js';

const prereleaseMapFix = (channel: unknown) =>
  `Map the channel, e.g. \`"python": { "prereleaseMap": { "${String(channel)}": "rc" } }\`, or rename the prerelease branch's channel.`;

/**
 * The Python package: its version files (PEP 440), the wheel and the sdist, and optionally their
 * upload to an index (with an API token or through Trusted Publishing).
 */
export const pythonKind = defineKind<PythonConfig>({
  name: 'python',
  entry: 'python',
  artifacts: [
    { type: 'wheel', githubAsset: '*.whl' },
    { type: 'sdist', githubAsset: '*.tar.gz' },
    { type: 'pypi', published: true },
  ],
  errors: PYTHON_ERRORS,
  preset: {
    versionFiles: (options) =>
      (Array.isArray(options.versionFiles) ? (options.versionFiles as unknown[]) : []).flatMap((f) => {
        const file = typeof f === 'object' && f !== null ? (f as { path?: unknown }).path : f;
        return typeof file === 'string' ? [file] : [];
      }),
    defaultVersionFiles: [
      'pyproject.toml',
      'setup.cfg',
      '**/pkg_info.json',
      '**/_version.py',
      '**/__version__.py',
      '**/__about__.py',
    ],
  },
  resolveConfig: resolvePythonConfig,
  versionOptions: (config) => ({ prereleaseMap: config.prereleaseMap }),
  // The wheel's name and the upload; the version files declare theirs.
  renderings: () => [{ rendering: 'pep440', option: 'python' }],
  renderingError: (problem, needs) =>
    problemError(problem, {
      neededBy: [...new Set(needs.map((n) => `\`${n.option}\``))].join(', '),
      ...(problem.code === 'EPRERELEASEMAP' ? { fix: prereleaseMapFix(problem.params.channel) } : {}),
    }),

  versionFields(config) {
    return config.versionFiles.flatMap((file, index): VersionField[] => {
      const option = `python.versionFiles[${index}]`;
      const type = file.type ? { type: file.type } : {};
      return [
        // No key: the file type's default (`version`, `__version__`, pyproject's own).
        { path: file.path, ...(file.key ? { key: file.key } : {}), option, render: 'pep440', ...type },
        ...Object.entries(file.set).map(([key, entry]): VersionField => ({
          path: file.path,
          key,
          option: `${option}.set.${key}`,
          render: setRender(entry),
          ...type,
        })),
      ];
    });
  },

  check: (config, ctx) => checkPythonBuild(config, ctx),

  async checkRelease(config, ctx) {
    const pep440 = renderedValue(ctx.release.versions.pep440);
    if (config.publish && pep440.includes('+')) {
      return [stackError('EPYPILOCALVERSION', { version: ctx.release.version, pep440 })];
    }
    return [];
  },

  async plan(config, ctx) {
    if (!config.build) return planWithoutBuild(config);
    return planRelease(config, ctx, await distributionName(config, ctx));
  },

  async prepare(config, ctx) {
    if (!config.build) return [];
    return buildDistributions(config, ctx, await distributionName(config, ctx));
  },

  async publish(config, ctx, manifest) {
    return publishDistributions(config, ctx, manifest);
  },
});
