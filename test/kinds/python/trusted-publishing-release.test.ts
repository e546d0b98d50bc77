/**
 * The three example projects released end to end by the real semantic-release CLI, uploaded through
 * PyPI's Trusted Publishing: the Actions OIDC stand-in issues signed ID tokens to the bearer of
 * ACTIONS_ID_TOKEN_REQUEST_TOKEN, the PyPI stand-in checks them and mints upload tokens, and the real
 * twine uploads wheel and sdist with them. Every process's argv is sampled during each run: no ID
 * token, minted token or request token may appear there, in the output, or in any file the release
 * leaves (work tree, release artifacts, bare remote).
 */
import { readdir, readFile } from 'node:fs/promises';
import { withArgvSamples } from '../../helpers/processes.js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAndPush, createRepo, logOf, showFile, tagsOf, type TestRepo } from '../../helpers/git.js';
import { OidcStandin } from '../../helpers/oidc-standin.js';
import { PypiStandin } from '../../helpers/pypi-standin.js';
import { runSemanticRelease, semanticReleaseEnv } from '../../helpers/semantic-release.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule } from '../../helpers/tools.js';
import { PLUGIN, requireDist, runCli } from '../../reliability/support.js';
import { fixtureFiles, type BackendFixture } from './project-fixture.js';

const oidc = new OidcStandin({ repository: 'acme/demo', workflow: 'release.yml' });
let pypi: PypiStandin;
const repos: TestRepo[] = [];
const PROJECTS = ['saltmarsh-scm', 'saltmarsh-hatch', 'saltmarsh-poetry'];

beforeAll(async () => {
  requireDist();
  await requirePythonModule('build', INSTALL_HINTS.build);
  await requirePythonModule('twine', INSTALL_HINTS.twine);
  await requirePythonModule('setuptools_scm', 'apt-get install python3-setuptools-scm');
  await requirePythonModule('hatchling', 'apt-get install python3-hatchling');
  await requirePythonModule('poetry.core', 'apt-get install python3-poetry-core');
  await oidc.start();
  pypi = new PypiStandin({
    password: 'pypi-static-token-never-used',
    trustedPublishing: {
      issuer: oidc.issuer,
      key: oidc.publicKey,
      publishers: [{ repository: 'acme/demo', workflow: 'release.yml', projects: PROJECTS }],
    },
  });
  await pypi.start();
});

afterAll(async () => {
  await pypi?.stop();
  await oidc.stop();
  await Promise.all(repos.map((r) => r.cleanup()));
});

function releaseConfig(repo: TestRepo, python: Record<string, unknown> = {}) {
  return {
    branches: ['main'],
    repositoryUrl: repo.remoteUrl,
    plugins: [
      '@semantic-release/commit-analyzer',
      '@semantic-release/release-notes-generator',
      [
        PLUGIN,
        {
          python: {
            interpreter: SYSTEM_PYTHON,
            isolation: false,
            publish: { repositoryUrl: pypi.uploadUrl },
            ...python,
          },
          devVersion: true,
        },
      ],
    ],
  };
}

/** The example in a repository with a bare remote, `edit` applied to its files first. */
async function projectRepo(
  fixture: BackendFixture,
  edit: (files: Record<string, string>) => void = () => {},
): Promise<TestRepo> {
  const files = await fixtureFiles(fixture);
  edit(files);
  const repo = await createRepo({ files });
  repos.push(repo);
  await commitAndPush(repo, 'feat: the first feature');
  return repo;
}

/** Every form of every token of the exchange: raw, URL-encoded, base64, and base64 of `__token__:…`. */
function tokenForms(): string[] {
  const secrets = [...oidc.issued, ...pypi.minted.map((m) => m.token), oidc.requestToken];
  return secrets.flatMap((s) => [
    s,
    encodeURIComponent(s),
    Buffer.from(s).toString('base64'),
    Buffer.from(`__token__:${s}`).toString('base64'),
  ]);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

async function expectNoTokenLeft(repo: TestRepo, output: string, argv: string[]): Promise<void> {
  const forms = tokenForms();
  expect(forms.length).toBeGreaterThan(0);
  const leaks = (text: string) => forms.filter((f) => text.includes(f));
  expect(leaks(output), 'the output').toEqual([]);
  expect(
    argv.filter((a) => leaks(a).length),
    'an argv',
  ).toEqual([]);
  for (const file of await filesUnder(repo.root)) {
    expect(leaks((await readFile(file)).toString('latin1')), file).toEqual([]);
  }
}

describe('python kind: example projects released through Trusted Publishing with the real CLI', () => {
  it.each([
    ['saltmarsh-scm', {}, 'saltmarsh_scm-1.0.0-py3-none-any.whl', 'saltmarsh-scm-1.0.0.tar.gz'],
    [
      'saltmarsh-hatch',
      { skipDependencyCheck: true },
      'saltmarsh_hatch-1.0.0-py3-none-any.whl',
      'saltmarsh_hatch-1.0.0.tar.gz',
    ],
    ['saltmarsh-poetry', {}, 'saltmarsh_poetry-1.0.0-py3-none-any.whl', 'saltmarsh_poetry-1.0.0.tar.gz'],
  ] as const)(
    '%s %j: tag, wheel and sdist uploaded with a minted token, no token left anywhere',
    async (fixture, python, wheel, sdist) => {
      const repo = await projectRepo(fixture);
      const minted = pypi.minted.length;
      const { result, argv, samples } = await withArgvSamples(() =>
        runSemanticRelease(repo, { config: releaseConfig(repo, python), env: oidc.env() }),
      );
      expect(result.code, result.output).toBe(0);
      expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
      expect(result.output).toContain('offers Trusted Publishing (audience pypi)');
      expect(result.output).toContain('upload via Trusted Publishing (ID token from GitHub Actions)');
      expect(result.output).toContain(`twine check --strict: ${wheel} passed`);

      // One token minted, in publish, and both files uploaded with it in one twine run.
      expect(pypi.minted.length).toBe(minted + 1);
      const manifest = JSON.parse(
        await readFile(path.join(repo.dir, 'release-artifacts/manifest.json'), 'utf8'),
      ) as { artifacts: Array<{ type: string; name: string; sha256?: string }> };
      const built = manifest.artifacts.filter((a) => a.type === 'wheel' || a.type === 'sdist');
      expect(built.map((a) => a.name)).toEqual([wheel, sdist]);
      const uploaded = pypi.filesOf(fixture, '1.0.0');
      expect(uploaded.map((f) => [f.filename, f.sha256, f.auth])).toEqual(
        built.map((a) => [a.name, a.sha256, 'trusted-publishing']),
      );
      const posts = pypi.requests.filter((r) => r.method === 'POST' && r.url === '/legacy/');
      const authorization = `Basic ${Buffer.from(`__token__:${pypi.minted.at(-1)!.token}`).toString('base64')}`;
      expect(posts.slice(-2).map((r) => r.headers.authorization)).toEqual([authorization, authorization]);

      expect(samples).toBeGreaterThan(20);
      expect(argv.some((a) => a.includes('twine upload'))).toBe(true);
      await expectNoTokenLeft(repo, result.output, argv);
    },
  );

  it('the dev version: none for setuptools-scm, __about__.py for hatchling, pyproject for poetry', async () => {
    const [scm, hatch, poetry] = repos;
    expect((await logOf(scm!.remote, 'main')).map((c) => c.subject)[0]).toBe('feat: the first feature');
    expect(await showFile(hatch!.remote, 'main', 'src/saltmarsh_hatch/__about__.py')).toContain(
      '__version__ = "1.1.0.dev0"',
    );
    expect(await showFile(poetry!.remote, 'main', 'pyproject.toml')).toContain('version = "1.1.0.dev0"');
  });

  it('broken long-description markup stops the release before the tag: nothing tagged, minted or uploaded', async () => {
    const repo = await projectRepo('saltmarsh-hatch', (files) => {
      files['README.rst'] = 'saltmarsh-hatch\n=====\n\nBird counts.\n';
      files['pyproject.toml'] = files['pyproject.toml']!.replace('README.md', 'README.rst');
    });
    const before = { minted: pypi.minted.length, files: pypi.files.length, ids: oidc.issued.length };

    const result = await runSemanticRelease(repo, {
      config: releaseConfig(repo, { skipDependencyCheck: true }),
      env: oidc.env(),
    });

    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(
      /EPYTHONDISTCHECK `twine check --strict` refused `saltmarsh_hatch-1\.0\.0-py3-none-any\.whl`: .*Title underline too short/,
    );
    expect(await tagsOf(repo.remote)).toEqual([]);
    expect({ minted: pypi.minted.length, files: pypi.files.length, ids: oidc.issued.length }).toEqual(before);
    // The version file is back at what the branch holds.
    expect(await readFile(path.join(repo.dir, 'src/saltmarsh_hatch/__about__.py'), 'utf8')).toContain(
      '__version__ = "0.0.1"',
    );
  });

  it('a refused exchange uploads nothing; `publish --tag` mints its own token and uploads the very files prepare built', async () => {
    // A project of its own (the scm example above is on the index at 1.0.0 already), released with
    // a CHANGELOG.md that @semantic-release/git commits: the tag sits on a release commit holding a
    // file that was new, and untracked, when prepare built the sdist.
    const repo = await projectRepo('saltmarsh-scm', (files) => {
      files['pyproject.toml'] = files['pyproject.toml']!.replace(
        'name = "saltmarsh-scm"',
        'name = "saltmarsh-estuary"',
      );
    });
    const config = releaseConfig(repo);
    // In the preset's order: the CHANGELOG is written before the stack builds, committed after it.
    config.plugins.splice(2, 0, ['@semantic-release/changelog', {}] as never);
    config.plugins.push(['@semantic-release/git', { assets: ['CHANGELOG.md'] }] as never);
    const trusted = pypi.trustedPublishing!;
    const configured = trusted.publishers;
    trusted.publishers = [
      { repository: 'acme/demo', workflow: 'nightly.yml', projects: ['saltmarsh-estuary'] },
    ];
    try {
      const { result, argv } = await withArgvSamples(() =>
        runSemanticRelease(repo, { config, env: oidc.env() }),
      );
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(
        `EPYPIOIDCREFUSED ${pypi.url}/_/oidc/mint-token refused to exchange the ID token for an upload token: Token request failed.`,
      );
      expect(result.output).toContain('invalid-publisher: valid token, but no corresponding publisher');
      expect(result.output).toContain(
        'job_workflow_ref `acme/demo/.github/workflows/release.yml@refs/heads/main`',
      );
      // The tag is out (publish runs after it), on the release commit, but nothing reached the index.
      expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
      expect((await logOf(repo.remote, 'main'))[0]!.subject).toBe('chore(release): 1.0.0 [skip ci]');
      expect(pypi.filesOf('saltmarsh-estuary')).toEqual([]);
      await expectNoTokenLeft(repo, result.output, argv);
      const prepared = JSON.parse(
        await readFile(path.join(repo.dir, 'release-artifacts/manifest.json'), 'utf8'),
      ) as { artifacts: Array<{ type: string; name: string; sha256?: string }> };

      trusted.publishers = [
        { repository: 'acme/demo', workflow: 'release.yml', projects: ['saltmarsh-estuary'] },
      ];
      const minted = pypi.minted.length;
      const resumed = await withArgvSamples(() =>
        runCli(['publish', '--tag', 'v1.0.0'], { cwd: repo.dir, env: semanticReleaseEnv(repo, oidc.env()) }),
      );
      expect(resumed.result.code, resumed.result.output).toBe(0);
      // Built from the commit the interrupted run recorded: @semantic-release/git's release commit's parent.
      const builtFrom = (await repo.git(['rev-parse', 'v1.0.0^'])).slice(0, 12);
      expect(resumed.result.stderr).toContain(`, artifacts built from ${builtFrom}, branch main (release)`);
      expect(pypi.minted.length).toBe(minted + 1);
      // Rebuilt at the tag, byte for byte what the failed run prepared (and attached, with a GitHub release).
      expect(pypi.filesOf('saltmarsh-estuary', '1.0.0').map((f) => [f.filename, f.sha256, f.auth])).toEqual(
        prepared.artifacts
          .filter((a) => a.type === 'wheel' || a.type === 'sdist')
          .map((a) => [a.name, a.sha256, 'trusted-publishing']),
      );
      expect(pypi.filesOf('saltmarsh-estuary', '1.0.0').map((f) => f.filename)).toEqual([
        'saltmarsh_estuary-1.0.0-py3-none-any.whl',
        'saltmarsh-estuary-1.0.0.tar.gz',
      ]);
      await expectNoTokenLeft(repo, resumed.result.output, resumed.argv);
    } finally {
      trusted.publishers = configured;
    }
  });
});
