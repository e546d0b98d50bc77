import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHttpClient } from '../core/http.js';
import { githubClient, StackOctokit } from '../github/client.js';
import { downloadAsset } from '../github/download.js';
import { assetsOf, findRelease } from '../github/release.js';
import type { GithubTarget } from '../github/target.js';
import type { Logger } from '../logger.js';

/**
 * `publish --tag` re-creates a release's artifacts at its tag and uploads what its GitHub release
 * lacks. Sigstore bundles are never the same bytes twice (a new certificate, a new signature), so
 * the bundles the release already has are brought back first: the signing step keeps a bundle that
 * signs the same content, and signs only what is missing.
 */
export async function restoreSigstoreBundles(
  artifactsDir: string,
  github: GithubTarget & { token: string },
  tag: string,
  logger: Logger,
  env: Record<string, string | undefined>,
): Promise<string[]> {
  const client = githubClient(StackOctokit, {
    apiUrl: github.apiUrl,
    token: github.token,
    http: createHttpClient({ env }),
    logger,
  });
  const where = { client, owner: github.owner, repo: github.repo, tag };
  const release = await findRelease(where);
  if (!release) return [];
  const restored: string[] = [];
  for (const asset of (await assetsOf(where, release)).filter((a) => a.name.endsWith('.sigstore.json'))) {
    if (asset.state !== 'uploaded') continue;
    const file = path.join(artifactsDir, path.basename(asset.name));
    if (
      await access(file).then(
        () => true,
        () => false,
      )
    )
      continue;
    await writeFile(file, await downloadAsset(client, asset.url));
    restored.push(asset.name);
  }
  if (restored.length)
    logger.log('Kept the Sigstore bundles the GitHub release %s already has: %s', tag, restored.join(', '));
  return restored;
}
