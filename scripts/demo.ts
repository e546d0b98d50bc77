/**
 * The demo (README quick start): a real, non-dry release of examples/python-service against local
 * services only, then the dry-run plan of the next release.
 *
 * scripts/demo.sh compiles this file with the test helpers it reuses (dockerd, docker-registry, the
 * GitHub API stand-in, git repositories with a bare remote) into node_modules/.cache/srs-demo and
 * runs it with node; nothing here is a copy of the test harness.
 *
 * What it does:
 * 1. installs this checkout's `npm pack` tarball next to semantic-release in a project of its own,
 *    as `npx -p semantic-release -p semantic-release-stack` does for users;
 * 2. starts dockerd (unless it answers at /tmp/srs-docker/docker.sock), a docker-registry on
 *    loopback (or uses SRS_DEMO_REGISTRY=127.0.0.1:PORT, one without auth, when set) and the
 *    GitHub API stand-in (an HTTP server in this process);
 * 3. copies the example into a git repository with a bare `file://` remote, commits its
 *    .releaserc.json pointed at those services and a `feat:` commit;
 * 4. runs semantic-release (CI=true: a real release) and prints what it released and where;
 * 5. commits another `feat:` and prints the `--dry-run` plan of the next release.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import {
  IMAGE_REPO,
  PROJECT_ROOT,
  SLUG,
  exampleFiles,
  installPacked,
  localConfig,
  sha256,
} from '../test/e2e/example.js';
import { ensureDocker, pingDocker, DOCKER_SOCKET } from '../test/helpers/docker.js';
import {
  commitAndPush,
  createRepo,
  logOf,
  showFile,
  tagCommit,
  tagsOf,
  type TestRepo,
} from '../test/helpers/git.js';
import { GitHubStandin, githubEnv, linkRepo } from '../test/helpers/github-standin.js';
import { getManifest, listTags, startRegistry, type Registry } from '../test/helpers/registry.js';
import { semanticReleaseEnv } from '../test/helpers/semantic-release.js';

const DEMO_AUTH = { user: 'demo', password: 'demo-registry-pa55' };

/** The part of release-artifacts/manifest.json (src/core/manifest.ts) the summary prints. */
interface Manifest {
  version: string;
  gitTag: string;
  artifacts: {
    type: string;
    name: string;
    path?: string;
    sha256?: string;
    digest?: string;
    refs?: string[];
  }[];
}

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text = '') => console.log(text);
const step = (text: string) => say(`\n${bold(`== ${text}`)}`);

class DemoError extends Error {}

interface Services {
  registry: Registry;
  standin: GitHubStandin;
  dockerHost: string;
  stop(): Promise<void>;
}

async function startServices(): Promise<Services> {
  const running = await pingDocker();
  const { host: dockerHost } = await ensureDocker();
  say(`dockerd          ${running ? 'already running' : 'started'} at ${DOCKER_SOCKET}`);

  let registry: Registry;
  const given = process.env.SRS_DEMO_REGISTRY;
  if (given) {
    registry = { host: given, url: `http://${given}`, dir: '', stop: async () => {} };
    say(`docker-registry  ${given} (SRS_DEMO_REGISTRY)`);
  } else {
    registry = await startRegistry({ auth: DEMO_AUTH });
    say(`docker-registry  ${registry.host} (started, basic auth as ${DEMO_AUTH.user})`);
  }
  const standin = new GitHubStandin({ repos: [SLUG] });
  await standin.start();
  say(`GitHub API       ${standin.apiUrl} (the stand-in, in this process)`);
  return {
    registry,
    standin,
    dockerHost,
    stop: async () => {
      await standin.stop();
      await registry.stop();
    },
  };
}

interface Run {
  code: number;
  output: string;
}

async function semanticRelease(bin: string, repo: TestRepo, services: Services, args: string[] = []) {
  const { registry, standin, dockerHost } = services;
  const credentials = registry.auth
    ? { DOCKER_REGISTRY_USER: registry.auth.user, DOCKER_REGISTRY_PASSWORD: registry.auth.password }
    : {};
  const result = await execa(process.execPath, [bin, ...args], {
    cwd: repo.dir,
    env: semanticReleaseEnv(repo, { ...githubEnv(standin), DOCKER_HOST: dockerHost, ...credentials }),
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
  });
  return { code: result.exitCode ?? -1, output: String(result.all) } satisfies Run;
}

/** The release plan as semantic-release-stack logged it, without the logger's prefixes. */
function planOf(output: string): string[] {
  const lines = output
    .split('\n')
    .filter((line) => line.includes('[semantic-release-stack] ›'))
    .map((line) => line.replace(/^.*\[semantic-release-stack\] › \S+\s{1,2}/, ''));
  const start = lines.findIndex((line) => line.startsWith('Release plan for'));
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('  '));
  return lines.slice(start, end < 0 ? undefined : end);
}

async function releaseOrFail(
  bin: string,
  repo: TestRepo,
  services: Services,
  log: string,
  args: string[] = [],
) {
  const run = await semanticRelease(bin, repo, services, args);
  await writeFile(log, run.output);
  if (run.code !== 0) {
    const tail = run.output.trimEnd().split('\n').slice(-25).join('\n');
    throw new DemoError(
      `${['semantic-release', ...args].join(' ')} exited with ${run.code} (full log: ${log}):\n${tail}`,
    );
  }
  return run;
}

async function printRelease(repo: TestRepo, services: Services) {
  const { registry, standin } = services;
  const manifest = JSON.parse(
    await readFile(path.join(repo.dir, 'release-artifacts/manifest.json'), 'utf8'),
  ) as Manifest;
  const tag = manifest.gitTag;
  const tagged = await tagCommit(repo.remote, tag);

  step(`Released ${manifest.version}`);
  say(`git tag      ${tag} → ${tagged?.slice(0, 12)} in ${repo.remote}`);
  say(`files at ${tag}:`);
  say(`  osvimdriver/pkg_info.json       ${await showFile(repo.remote, tag, 'osvimdriver/pkg_info.json')}`);
  const chart = await showFile(repo.remote, tag, 'helm/os-vim-driver/Chart.yaml');
  const chartLines = chart.split('\n').filter((l) => /^(version|appVersion):/.test(l));
  say(`  helm/os-vim-driver/Chart.yaml   ${chartLines.join(', ')}`);
  const values = await showFile(repo.remote, tag, 'helm/os-vim-driver/values.yaml');
  say(`  helm/os-vim-driver/values.yaml  docker.version: ${/^ {2}version: (.*)$/m.exec(values)?.[1]}`);

  say('artifacts (release-artifacts/manifest.json):');
  for (const a of manifest.artifacts) {
    if (a.path) say(`  ${a.type.padEnd(6)} ${a.path}\n         sha256 ${a.sha256}`);
    else say(`  ${a.type.padEnd(6)} ${(a.refs ?? [a.name]).join(', ')}\n         digest ${a.digest}`);
  }

  const image = manifest.artifacts.find((a) => a.type === 'image');
  if (image) {
    say(`registry     http://${registry.host}/v2/${IMAGE_REPO}/tags/list:`);
    for (const t of (await listTags(registry, IMAGE_REPO, registry.auth)).sort()) {
      const { digest } = await getManifest(registry, IMAGE_REPO, t, { auth: registry.auth, method: 'HEAD' });
      say(`  ${registry.host}/${IMAGE_REPO}:${t}  ${digest}`);
    }
  }

  const ghRelease = standin.releases.find((r) => r.tag_name === tag);
  if (!ghRelease) throw new DemoError(`no GitHub release for ${tag} in the stand-in`);
  say(
    `GitHub       ${standin.releaseJson(ghRelease).html_url} (${ghRelease.prerelease ? 'pre' : ''}release "${ghRelease.name}")`,
  );
  for (const asset of standin.assetsOf(tag)) {
    say(
      `  asset ${asset.name.padEnd(40)} ${String(asset.data.length).padStart(7)} bytes  sha256 ${sha256(asset.data)}`,
    );
  }

  const [dev] = await logOf(repo.remote, 'main');
  say(`dev version  ${dev!.hash.slice(0, 12)} "${dev!.subject}" on main:`);
  say(
    `  osvimdriver/pkg_info.json       ${await showFile(repo.remote, 'main', 'osvimdriver/pkg_info.json')}`,
  );
  const devChart = await showFile(repo.remote, 'main', 'helm/os-vim-driver/Chart.yaml');
  say(
    `  helm/os-vim-driver/Chart.yaml   ${devChart
      .split('\n')
      .filter((l) => /^(version|appVersion):/.test(l))
      .join(', ')}`,
  );
}

async function main(): Promise<void> {
  for (const built of ['dist/index.js', 'dist/preset.js']) {
    if (!existsSync(path.join(PROJECT_ROOT, built)))
      throw new DemoError(`${built} is missing: run \`npm run build\``);
  }
  const root = await mkdtemp(path.join(tmpdir(), 'srs-demo-'));
  let services: Services | undefined;
  try {
    step('Installing semantic-release and the packed semantic-release-stack (npm pack + npm install)');
    const { project, semanticRelease: bin } = await installPacked(root);
    say(`project      ${project}`);

    step('Local services (loopback only)');
    services = await startServices();

    step('The example as a git repository with a bare remote');
    const repo = await createRepo({
      files: await exampleFiles(),
      slug: SLUG,
      message: 'chore: initial commit',
    });
    const config = await localConfig({
      registry: services.registry,
      repositoryUrl: linkRepo(repo, services.standin),
    });
    await commitAndPush(repo, 'chore: point the release at the local services', {
      '.releaserc.json': `${JSON.stringify(config, null, 2)}\n`,
    });
    await commitAndPush(repo, 'feat: manage networks on OpenStack', { 'osvimdriver/networks.py': '' });
    say(`work tree    ${repo.dir}`);
    say(`remote       ${repo.remoteUrl} (also ${config.repositoryUrl as string})`);
    say(`.releaserc   extends ${config.extends as string}; image ${config.docker.image as string}`);

    step('semantic-release (a real release, CI=true)');
    const release = await releaseOrFail(bin, repo, services, path.join(root, 'release.log'));
    for (const line of planOf(release.output)) say(line);
    await printRelease(repo, services);

    step('The next release, planned: semantic-release --dry-run after a new feat commit');
    await commitAndPush(repo, 'feat: list flavours', { 'osvimdriver/flavours.py': '' });
    const tagsBefore = await tagsOf(repo.remote);
    const dry = await releaseOrFail(bin, repo, services, path.join(root, 'dry-run.log'), ['--dry-run']);
    const plan = planOf(dry.output);
    if (!plan.length) throw new DemoError(`the dry run printed no release plan (log: ${root}/dry-run.log)`);
    for (const line of plan) say(line);
    const tagsAfter = await tagsOf(repo.remote);
    if (tagsAfter.join() !== tagsBefore.join()) throw new DemoError('the dry run created a tag');
    say(`\nNothing was written by the dry run (tags still ${tagsAfter.join(', ')}).`);

    step('Done');
    say(`The repository and its remote stay in ${repo.root} (logs in ${root}).`);
    say('The registry and the GitHub stand-in stop with the demo; the image stays in dockerd, which');
    say(
      `keeps running for the tests: DOCKER_HOST=unix://${DOCKER_SOCKET} docker image ls ${services.registry.host}/${IMAGE_REPO}`,
    );
    say('stop it with: kill $(cat /tmp/srs-docker/docker.pid)');
    await rm(project, { recursive: true, force: true });
  } finally {
    await services?.stop();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof DemoError ? error.message : ((error as Error).stack ?? String(error));
  console.error(`\ndemo failed: ${message}`);
  process.exit(1);
});
