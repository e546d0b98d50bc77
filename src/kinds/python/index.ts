import { defineKind, type VersionField } from '../../kind.js';
import { pep440ChannelProblem } from '../../version.js';
import { stackError } from '../../errors.js';
import { setRender } from '../../core/version-fields.js';
import { resolvePythonConfig, type PythonConfig } from './config.js';
import { buildDistributions } from './build.js';
import { checkPythonBuild } from './check.js';
import { planRelease, planWithoutBuild } from './plan.js';
import { distributionName } from './project.js';
import { publishDistributions } from './publish.js';

/**
 * The Python package: its version files (PEP 440), the wheel and the sdist, and optionally their
 * upload to an index (with an API token or through Trusted Publishing).
 */
export const pythonKind = defineKind<PythonConfig>({
  name: 'python',
  entry: 'python',
  resolveConfig: resolvePythonConfig,
  versionOptions: (config) => ({ prereleaseMap: config.prereleaseMap }),

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

  async check(config, ctx) {
    const errors: Error[] = [];
    // On a prerelease branch the channel is known before any version is: refuse an unmappable one early.
    const channel = ctx.branch.prerelease;
    if (channel && pep440ChannelProblem(channel, config.prereleaseMap)) {
      errors.push(stackError('EPRERELEASEMAP', { channel }));
    }
    errors.push(...(await checkPythonBuild(config, ctx)));
    return errors;
  },

  async checkRelease(config, ctx) {
    let pep440: string;
    try {
      pep440 = ctx.release.versions.pep440;
    } catch (error) {
      return [error as Error];
    }
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
