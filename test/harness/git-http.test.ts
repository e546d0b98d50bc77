import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttp, type GitHttpServer } from '../helpers/git-http.js';
import { createRepo, isolatedGitEnv, tagsOf, type TestRepo } from '../helpers/git.js';
import { execa } from 'execa';

describe('git-http helper (git-http-backend behind Basic auth)', () => {
  let repo: TestRepo;
  let server: GitHttpServer;
  beforeAll(async () => {
    repo = await createRepo({ files: { 'a.txt': 'a\n' } });
    server = await startGitHttp({ projectRoot: `${repo.root}/remotes`, user: 'bot', password: 's3cret-pw' });
  });
  afterAll(async () => {
    await server?.stop();
    await repo?.cleanup();
  });

  it('refuses git without the credentials and serves fetch and push with them', async () => {
    const url = `${server.url}/acme/demo.git`;
    const git = (args: string[]) =>
      execa('git', args, { cwd: repo.dir, env: isolatedGitEnv(), extendEnv: false, reject: false });
    expect((await git(['ls-remote', url])).exitCode).not.toBe(0);
    const header = ['-c', `http.extraheader=Authorization: ${server.authorization}`];
    const listed = await git([...header, 'ls-remote', url]);
    expect(listed.stdout).toContain('refs/heads/main');
    await git(['tag', 'v0.0.1']);
    const pushed = await git([...header, 'push', '--quiet', url, 'v0.0.1']);
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(await tagsOf(repo.remote)).toEqual(['v0.0.1']);
    expect(server.requests.some((r) => !r.authorized)).toBe(true);
    expect(server.requests.some((r) => r.authorized && r.path.endsWith('/git-receive-pack'))).toBe(true);
  });
});
