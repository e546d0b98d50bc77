import type { PlanLine, ReleaseContext } from '../../kind.js';
import { renderedValue, sdistFileName, wheelFileName } from '../../version.js';
import { pypiAuth, type PythonConfig } from './config.js';
import { buildArgs } from './build.js';
import { pretendVersionEnv } from './version-source.js';

const SCHEME_TOOL = { 'setuptools-scm': 'setuptools-scm', 'hatch-vcs': 'hatch-vcs' } as const;

function uploadVia(ctx: ReleaseContext): string {
  const auth = pypiAuth(ctx.env);
  if (auth.kind === 'credentials') return `with ${auth.credentials.source}`;
  if (auth.kind === 'trusted-publishing') return `via Trusted Publishing (ID token from ${auth.source})`;
  return 'without credentials';
}

/** A version that comes from git tags is nobody's file to write back. */
function devLine(config: PythonConfig): PlanLine[] {
  if (config.versionScheme === 'files' || config.versionFiles.length) return [];
  return [
    {
      action: 'dev',
      text: `python: no development version to write (${SCHEME_TOOL[config.versionScheme]} takes the version from git tags)`,
    },
  ];
}

export function planWithoutBuild(config: PythonConfig): PlanLine[] {
  return devLine(config);
}

/** What the python kind will build, from where its version comes, and where it uploads. */
export function planRelease(config: PythonConfig, ctx: ReleaseContext, distName: string): PlanLine[] {
  const pep440 = renderedValue(ctx.release.versions.pep440);
  const files = [wheelFileName(distName, pep440), ...(config.sdist ? [sdistFileName(distName, pep440)] : [])];
  const command =
    config.builder === 'setup.py'
      ? `setup.py ${config.sdist ? 'sdist ' : ''}bdist_wheel`
      : `python ${buildArgs(config, '<dir>')
          .filter((a) => !['--outdir', '<dir>'].includes(a))
          .join(' ')}`;
  const where = files.map((f) => `release-artifacts/${f}`).join(', ');
  const lines: PlanLine[] = [
    { action: 'build', text: `${files.join(' and ')} (${command}) → ${where}, ${config.distDir}/` },
  ];
  if (config.versionScheme !== 'files') {
    const variables = Object.keys(pretendVersionEnv(distName, pep440)).join(', ');
    lines.push({
      action: 'build',
      text: `version ${pep440} given to ${SCHEME_TOOL[config.versionScheme]} through ${variables}`,
    });
  }
  lines.push({
    action: 'build',
    text: `check ${config.publish ? 'with twine check --strict and ' : ''}that each file's metadata says Version ${pep440}`,
  });
  if (config.publish) {
    lines.push({
      action: 'publish',
      text: `${files.join(', ')} → ${config.publish.uploadUrl}, upload ${uploadVia(ctx)} (files the index has identically are skipped)`,
    });
  }
  return [...lines, ...devLine(config)];
}
