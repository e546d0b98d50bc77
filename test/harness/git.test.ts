import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addUrlAlias,
  cloneRemote,
  commit,
  commitAndPush,
  createRepo,
  logOf,
  showFile,
  tagCommit,
  tagsOf,
  type TestRepo,
} from '../helpers/git.js';

describe('git helpers', () => {
  let repo: TestRepo | undefined;
  afterEach(async () => {
    await repo?.cleanup();
    repo = undefined;
  });

  it('creates a working repo with an initial commit pushed to a bare remote', async () => {
    repo = await createRepo({
      files: { 'pyproject.toml': '[project]\nname = "demo"\n', 'src/demo/__init__.py': '' },
    });
    expect(repo.remote).toMatch(/\/remotes\/acme\/demo\.git$/);
    expect(await repo.git(['rev-parse', '--is-bare-repository'])).toBe('false');
    expect(await repo.git(['config', 'user.name'])).toBe('SRS Test');
    expect(await repo.git(['config', 'remote.origin.url'])).toBe(repo.remoteUrl);
    expect(repo.remoteUrl).toBe(`file://${repo.remote}`);
    expect(await repo.git(['rev-parse', '--abbrev-ref', '@{upstream}'])).toBe('origin/main');
    expect(await readFile(join(repo.dir, 'src/demo/__init__.py'), 'utf8')).toBe('');
    expect(await showFile(repo.remote, 'main', 'pyproject.toml')).toContain('name = "demo"');
    const log = await logOf(repo.remote, 'main');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      subject: 'chore: initial commit',
      author: 'SRS Test <srs-test@example.invalid>',
    });
  });

  it('commits, pushes, tags; a second clone moves the branch meanwhile', async () => {
    repo = await createRepo({ branch: 'release', slug: 'octo/widgets' });
    expect(repo.remote).toMatch(/\/remotes\/octo\/widgets\.git$/);
    const sha = await commit(repo, 'feat: add a widget\n\nWith a body.', { 'widget.txt': 'w1\n' });
    expect(await logOf(repo.remote, 'release')).toHaveLength(1); // not pushed yet
    await repo.git(['push', '--quiet', 'origin', 'release']);
    await repo.git(['tag', 'v1.0.0']);
    await repo.git(['push', '--quiet', 'origin', 'v1.0.0']);
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    expect(await tagCommit(repo.remote, 'v1.0.0')).toBe(sha);
    expect(await tagCommit(repo.remote, 'v9.9.9')).toBeUndefined();
    const [head] = await logOf(repo.remote, 'release');
    expect(head).toMatchObject({ hash: sha, subject: 'feat: add a widget', body: 'With a body.' });

    const other = await cloneRemote(repo);
    const moved = await commitAndPush(other, 'fix: someone else', { 'widget.txt': 'w2\n' });
    expect((await logOf(repo.remote, 'release'))[0]?.hash).toBe(moved);
    expect(await repo.git(['rev-parse', 'HEAD'])).toBe(sha); // local repo is now behind
    await expect(repo.git(['push', 'origin', 'HEAD:release'])).rejects.toThrow(/rejected/);
    await other.cleanup();
    expect(existsSync(other.dir)).toBe(false);
    await expect(showFile(repo.remote, 'release', 'nope.txt')).rejects.toThrow(/nope\.txt/);
  });

  it('resolves a URL alias to the bare remote (url.<remote>.insteadOf via env)', async () => {
    repo = await createRepo();
    const url = 'http://127.0.0.1:9/acme/demo.git';
    addUrlAlias(repo, url);
    const out = await repo.git(['ls-remote', '--heads', url]);
    expect(out).toMatch(/refs\/heads\/main$/);
    await commit(repo, 'chore: via alias');
    await repo.git(['push', '--quiet', url, 'HEAD:main']);
    expect((await logOf(repo.remote, 'main'))[0]?.subject).toBe('chore: via alias');
  });

  it('cleanup() removes everything', async () => {
    const r = await createRepo();
    await r.cleanup();
    expect(existsSync(r.root)).toBe(false);
  });
});
