import type { GithubClient } from './client.js';

/**
 * The bytes of a release asset, by its API `url`. GitHub answers with a redirect to storage
 * elsewhere; fetch follows it and drops the token on the way, as it must.
 */
export async function downloadAsset(client: GithubClient, url: string): Promise<Buffer> {
  const answer = await client.request({
    method: 'GET',
    url,
    headers: { accept: 'application/octet-stream' },
  });
  return Buffer.from(answer.data as ArrayBuffer);
}
