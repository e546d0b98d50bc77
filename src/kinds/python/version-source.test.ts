import { describe, expect, it } from 'vitest';
import { pretendVersionEnv, versionSourceOf } from './version-source.js';

const hatchling = { 'build-system': { requires: ['hatchling'], 'build-backend': 'hatchling.build' } };
const setuptools = {
  'build-system': { requires: ['setuptools>=64'], 'build-backend': 'setuptools.build_meta' },
};
const dynamic = { project: { name: 'x', dynamic: ['version'] } };

describe('versionSourceOf', () => {
  it('keeps pyproject.toml for a static [project] or [tool.poetry] version', () => {
    expect(versionSourceOf({ project: { version: '1.0' } })).toEqual({
      scheme: 'files',
      files: [{ path: 'pyproject.toml' }],
    });
    expect(versionSourceOf({ tool: { poetry: { version: '1.0' } } }).files).toEqual([
      { path: 'pyproject.toml' },
    ]);
  });

  it("takes hatchling's [tool.hatch.version] path as the version file", () => {
    const about = { tool: { hatch: { version: { path: 'src/pkg/__about__.py' } } } };
    expect(versionSourceOf({ ...hatchling, ...dynamic, ...about })).toEqual({
      scheme: 'files',
      files: [{ path: 'src/pkg/__about__.py', type: 'python' }],
    });
  });

  it('writes no file for hatch-vcs and setuptools-scm, however setuptools-scm is declared', () => {
    const vcs = { tool: { hatch: { version: { source: 'vcs' } } } };
    expect(versionSourceOf({ ...hatchling, ...dynamic, ...vcs })).toEqual({ scheme: 'hatch-vcs', files: [] });
    expect(versionSourceOf({ ...setuptools, ...dynamic, tool: { setuptools_scm: {} } }).scheme).toBe(
      'setuptools-scm',
    );
    const required = { 'build-system': { requires: ['setuptools>=64', 'setuptools_scm[toml]>=6.2'] } };
    expect(versionSourceOf({ ...required, ...dynamic }).scheme).toBe('setuptools-scm');
  });

  it('falls back to pyproject.toml for any other dynamic version (its editor says what to set)', () => {
    expect(versionSourceOf({ ...setuptools, ...dynamic })).toEqual({
      scheme: 'files',
      files: [{ path: 'pyproject.toml' }],
    });
    expect(versionSourceOf(undefined).files).toEqual([{ path: 'pyproject.toml' }]);
  });
});

describe('pretendVersionEnv', () => {
  it('names the distribution as setuptools-scm normalises it, and sets the plain variable too', () => {
    expect(pretendVersionEnv('Saltmarsh.SCM-tools', '1.2.0rc1')).toEqual({
      SETUPTOOLS_SCM_PRETEND_VERSION_FOR_SALTMARSH_SCM_TOOLS: '1.2.0rc1',
      SETUPTOOLS_SCM_PRETEND_VERSION: '1.2.0rc1',
    });
  });
});
