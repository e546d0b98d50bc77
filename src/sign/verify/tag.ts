import type { Manifest } from '../../core/manifest.js';
import { stackError } from '../../errors.js';
import { createHttpClient } from '../../core/http.js';
import { githubClient, StackOctokit, type GithubClient } from '../../github/client.js';
import { downloadAsset } from '../../github/download.js';
import { githubStatus } from '../../github/errors.js';
import { silentLogger } from '../../logger.js';
import type { GithubTarget } from '../../github/target.js';
import { PROVENANCE_FILE, SIGNATURE_FILE } from '../files.js';
import { registryOfRef } from '../registries.js';
import { verifyFiles } from './files.js';
import { verifyPushed } from './pushed.js';
import { failed, type Verdict } from './report.js';
import type { BundleVerifier } from './trust.js';

interface Asset {
  name: string;
  url: string;
}

/**
 * A release by its tag, as a consumer meets it: the GitHub release's assets (SHA256SUMS and its
 * bundle, the provenance, every file), then each image and chart the release pushed — found through
 * manifest.json, judged by the digests the signed provenance names.
 */
export async function verifyTag(
  verifier: BundleVerifier,
  github: GithubTarget,
  tag: string,
  env: Record<string, string | undefined>,
): Promise<Verdict[]> {
  const client = githubClient(StackOctokit, {
    apiUrl: github.apiUrl,
    token: github.token,
    http: createHttpClient({ env }),
    logger: silentLogger,
  });
  const assets = await releaseAssets(client, github, tag);
  const cache = new Map<string, Promise<Buffer | undefined>>();
  const read = (name: string) => {
    let bytes = cache.get(name);
    if (!bytes) {
      const asset = assets.find((a) => a.name === name);
      bytes = asset ? downloadAsset(client, asset.url) : Promise.resolve(undefined);
      cache.set(name, bytes);
    }
    return bytes;
  };
  const json = async (name: string) => {
    const bytes = await read(name);
    try {
      return bytes ? (JSON.parse(bytes.toString('utf8')) as unknown) : undefined;
    } catch {
      return undefined;
    }
  };
  const { verdicts, provenance } = await verifyFiles(verifier, {
    sums: await read('SHA256SUMS'),
    sumsBundle: await json(SIGNATURE_FILE),
    provenanceBundle: await json(PROVENANCE_FILE),
    read,
    tag,
  });
  const manifest = (await json('manifest.json')) as Manifest | undefined;
  for (const artifact of manifest?.artifacts ?? []) {
    if (artifact.kind === 'sign' || (artifact.type !== 'image' && artifact.type !== 'chart-oci')) continue;
    const what = artifact.type === 'image' ? 'image' : 'chart';
    const ref = artifact.refs?.[0] ?? artifact.name;
    const subject = provenance?.subject.find((s) => s.name === artifact.name);
    const location = registryOfRef(ref, env);
    if (!subject || !location) {
      verdicts.push(
        failed(what, ref, subject ? 'not a registry reference' : 'the provenance does not name it'),
      );
      continue;
    }
    verdicts.push(...(await verifyPushed(verifier, location, what, ref, `sha256:${subject.digest.sha256}`)));
  }
  return verdicts;
}

async function releaseAssets(client: GithubClient, github: GithubTarget, tag: string): Promise<Asset[]> {
  const repo = { owner: github.owner, repo: github.repo };
  try {
    const release = await client
      .request('GET /repos/{owner}/{repo}/releases/tags/{tag}', { ...repo, tag })
      .catch((error: unknown) => {
        if (githubStatus(error) === 404)
          throw new Error(`${github.owner}/${github.repo} has no published release ${tag}`);
        throw error;
      });
    return (await client.paginate('GET /repos/{owner}/{repo}/releases/{release_id}/assets', {
      ...repo,
      release_id: release.data.id,
      per_page: 100,
    })) as Asset[];
  } catch (error) {
    throw stackError('EVERIFYSETUP', { target: tag, reason: (error as Error).message });
  }
}
