/**
 * Assertions the end-to-end tests share: a release's GitHub release and its image, checked against
 * the release manifest.
 */
import path from 'node:path';
import { expect } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import type { GitHubStandin } from '../helpers/github-standin.js';
import type { Registry } from '../helpers/registry.js';
import { IMAGE_REPO, imageContent, sha256, tarFiles } from './example.js';

export interface Rendered {
  semver: string;
  pep440: string;
  prerelease: boolean;
}

/**
 * The GitHub release of `tag`: published, with exactly the docs archive, chart, wheel, sdist, manifest and
 * SHA256SUMS attached, every file's bytes matching the sha256 the manifest records; the docs archive
 * under its one versioned folder, the chart at its version. Returns the manifest and the wheel.
 */
export function expectGitHubRelease(standin: GitHubStandin, tag: string, v: Rendered) {
  const ghRelease = standin.releases.find((r) => r.tag_name === tag);
  expect(ghRelease, `GitHub release ${tag}`).toBeDefined();
  expect(ghRelease!.draft).toBe(false);
  expect(ghRelease!.prerelease).toBe(v.prerelease);
  const assets = new Map(standin.assetsOf(tag).map((a) => [a.name, a.data]));
  const wheel = `os_vim_driver-${v.pep440}-py3-none-any.whl`;
  // Debian 12's setuptools 66 keeps the project name's dashes in the sdist's name (before PEP 625).
  const sdist = `os-vim-driver-${v.pep440}.tar.gz`;
  const docs = `os-vim-driver-${v.semver}-docs.tgz`;
  const chart = `os-vim-driver-${v.semver}.tgz`;
  expect([...assets.keys()].sort()).toEqual(
    [chart, docs, wheel, sdist, 'SHA256SUMS', 'manifest.json'].sort(),
  );

  const manifest = JSON.parse(assets.get('manifest.json')!.toString('utf8')) as Manifest;
  expect(manifest).toMatchObject({ version: v.semver, gitTag: tag });
  const files = manifest.artifacts.filter((a) => a.path);
  expect(files.map((a) => path.basename(a.path!)).sort()).toEqual([chart, docs, wheel, sdist].sort());
  for (const artifact of files) {
    expect(sha256(assets.get(path.basename(artifact.path!))!), artifact.name).toBe(artifact.sha256);
  }
  const sums = files.map((a) => `${a.sha256}  ${path.basename(a.path!)}`).sort();
  expect(assets.get('SHA256SUMS')!.toString('utf8').trim().split('\n')).toEqual(sums);

  const docsEntries = [...tarFiles(assets.get(docs)!).keys()];
  expect(docsEntries.every((name) => name.startsWith(`os-vim-driver-${v.semver}-docs/`))).toBe(true);
  expect(docsEntries).toContain(`os-vim-driver-${v.semver}-docs/guides/configuration.md`);
  const chartYaml = tarFiles(assets.get(chart)!).get('os-vim-driver/Chart.yaml')?.toString('utf8');
  expect(chartYaml).toContain(`version: ${v.semver}\n`);
  return { manifest, wheel: assets.get(wheel)! };
}

/**
 * The release's image in the registry: the version tag first in the manifest's refs, the digest the
 * manifest records, exactly this release's wheel inside, the version label. Returns the digest.
 */
export async function expectImage(
  registry: Registry,
  manifest: Manifest,
  v: { imageTag: string; pep440: string; semver: string },
): Promise<string> {
  const image = manifest.artifacts.find((a) => a.kind === 'docker' && a.type === 'image');
  expect(image?.refs?.[0]).toBe(`${registry.host}/${IMAGE_REPO}:${v.imageTag}`);
  const content = await imageContent(registry, v.imageTag);
  expect(image?.digest).toBe(content.digest);
  expect(content.files).toEqual(['whls/.gitkeep', `whls/os_vim_driver-${v.pep440}-py3-none-any.whl`]);
  expect(content.labels['org.opencontainers.image.version']).toBe(v.semver);
  return content.digest!;
}
