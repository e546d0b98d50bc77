/**
 * Full releases and dry runs of the example service through the real semantic-release CLI, for the
 * release, dry-run, overhead and growth benchmarks: the fixture, the local services, the three
 * configurations compared (the stack, the exec baseline, bare semantic-release) and the runner.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { commitAndPush, createRepo, type FileContent, type TestRepo } from '../../test/helpers/git.js';
import { ensureDocker, requireBuildkitDockerCli } from '../../test/helpers/docker.js';
import { GitHubStandin, githubEnv, linkRepo } from '../../test/helpers/github-standin.js';
import { startRegistry, type Registry } from '../../test/helpers/registry.js';
import { SEMANTIC_RELEASE_BIN, semanticReleaseEnv } from '../../test/helpers/semantic-release.js';
import { BENCH_DIR, PROJECT_ROOT, stackDist } from './env.js';
import {
  makeBinDir,
  readStepLog,
  readToolLog,
  wrapPlugins,
  type PluginEntry,
  type StepCall,
  type ToolCall,
} from './trace.js';

export const EXAMPLE = join(PROJECT_ROOT, 'examples/python-service');
/** The composite plugin measured (see stackDist). */
export const stackPlugin = (): string => join(stackDist(), 'index.js');
export const EXEC_BASELINE = join(BENCH_DIR, 'fixtures/exec-baseline.mjs');

/** The example service's files (without its .releaserc.json: each benchmark writes its own). */
export function exampleFiles(): Record<string, FileContent> {
  if (!existsSync(join(EXAMPLE, 'setup.py'))) {
    throw new Error(`${EXAMPLE} is missing: the benchmarks release the example service`);
  }
  const files: Record<string, FileContent> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      const rel = relative(EXAMPLE, abs);
      if (
        ['.releaserc.json', 'build', 'dist', 'release-artifacts'].includes(rel) ||
        rel.endsWith('.egg-info')
      )
        continue;
      if (statSync(abs).isDirectory()) walk(abs);
      else files[rel] = readFileSync(abs);
    }
  };
  walk(EXAMPLE);
  return files;
}

/**
 * A fresh repository with the example committed and one `feat:` commit pushed: the next release is
 * 1.0.0. With `docsTree` (a generated tree's root, see tree.ts), its docs/ replaces the example's.
 */
export async function exampleRepo(docsTree?: string): Promise<TestRepo> {
  const repo = await createRepo({ files: exampleFiles() });
  if (docsTree) {
    rmSync(join(repo.dir, 'docs'), { recursive: true, force: true });
    cpSync(join(docsTree, 'docs'), join(repo.dir, 'docs'), { recursive: true });
    await repo.git(['add', '--all']);
    await repo.git(['commit', '--quiet', '-m', 'docs: the big manual']);
  }
  await commitAndPush(repo, 'feat: benchmark feature', {
    'osvimdriver/feature.py': '"""A feature worth releasing."""\n\nFEATURE = True\n',
  });
  return repo;
}

export interface Services {
  dockerHost: string;
  registry: Registry;
  github: GitHubStandin;
  githubUrl: string;
  stop(): Promise<void>;
}

export const REGISTRY_AUTH = { user: 'bench', password: 'bench-registry-password' };

/** dockerd (shared with the tests), a docker-registry with htpasswd auth, the GitHub API stand-in. */
export async function startServices(): Promise<Services> {
  const { host } = await ensureDocker();
  const registry = await startRegistry({ auth: REGISTRY_AUTH });
  const github = new GitHubStandin();
  const started = await github.start();
  return {
    dockerHost: host,
    registry,
    github,
    githubUrl: started.url,
    async stop() {
      await started.stop();
      await registry.stop();
    },
  };
}

/**
 * `stack-alone`: the stack as the only plugin (semantic-release still adds its default commit
 * analyzer, as it does for `bare`). `stack-baseline-assets`: the preset with the stack, but GitHub
 * attaches only the two archives baseline A attaches, to separate the stack from the upload count.
 */
export type Variant =
  'stack' | 'baseline' | 'bare' | 'preset-without-stack' | 'stack-alone' | 'stack-baseline-assets';

export interface ReleaseSetup {
  repo: TestRepo;
  /** Image repository of this run (one per run: no layer or tag is shared between runs). */
  image: string;
  repositoryUrl: string;
  dockerConfig: string;
}

let runCounter = 0;

export async function prepareRun(
  services: Services | undefined,
  repo?: TestRepo,
  docsTree?: string,
): Promise<ReleaseSetup> {
  const r = repo ?? (await exampleRepo(docsTree));
  runCounter += 1;
  const image = services
    ? `${services.registry.host}/bench/p${process.pid}-r${runCounter}/os-vim-driver`
    : 'accanto/os-vim-driver';
  const repositoryUrl = services ? linkRepo(r, { url: services.githubUrl }) : r.remoteUrl;
  const dockerConfig = mkdtempSync(join(r.root, 'docker-config-'));
  return { repo: r, image, repositoryUrl, dockerConfig };
}

const VERSION_FILES = [
  'osvimdriver/pkg_info.json',
  'helm/os-vim-driver/Chart.yaml',
  'helm/os-vim-driver/values.yaml',
];

/** The stack's options: the example's .releaserc.json, with this run's image. */
export function stackOptions(image: string): Record<string, unknown> {
  return {
    python: { versionFiles: ['osvimdriver/pkg_info.json'], distName: 'os-vim-driver', isolation: false },
    docs: { dir: 'docs', name: 'os-vim-driver' },
    docker: { context: 'docker', image, wheelsDir: 'whls' },
    helm: { chart: 'helm/os-vim-driver', imageTagKey: 'docker.version' },
    devVersion: true,
  };
}

/**
 * The seed's procedure (shared/seed/release-procedure.md) as @semantic-release/exec-style commands,
 * run by bench/fixtures/exec-baseline.mjs (@semantic-release/exec is not installed here; that plugin
 * does what exec does: render `${...}` from the context, run the string with /bin/sh in the
 * repository, stream output). No helm binary is installed, so `helm package` is stood in for by
 * GNU tar over the chart folder (what helm package writes, minus its Chart.yaml re-serialisation).
 */
export const BASELINE_COMMANDS = {
  prepareCmd: [
    'set -e',
    'V="${nextRelease.version}"',
    '# 1. set the version in pkg_info.json, values.yaml and Chart.yaml',
    `jq --arg v "$V" '.version = $v' osvimdriver/pkg_info.json > osvimdriver/pkg_info.json.tmp`,
    'mv osvimdriver/pkg_info.json.tmp osvimdriver/pkg_info.json',
    `sed -i -E "s/^(  version:).*/\\1 $V/" helm/os-vim-driver/values.yaml`,
    `sed -i -E "s/^version:.*/version: $V/; s/^appVersion:.*/appVersion: \\"$V\\"/" helm/os-vim-driver/Chart.yaml`,
    '# 2. build the wheel',
    'python3 -m build --wheel --no-isolation',
    '# 3. package the docs',
    'mkdir -p release-artifacts',
    'tar -czf "release-artifacts/os-vim-driver-$V-docs.tgz" docs/ --transform "s/^docs/os-vim-driver-$V-docs/"',
    '# 4. build the image from the wheel',
    'rm -f docker/whls/*.whl',
    'cp "dist/os_vim_driver-$V-py3-none-any.whl" docker/whls/',
    'docker build -t "$BENCH_IMAGE:$V" docker',
    '# 5. package the chart (helm package stand-in)',
    'tar -czf "release-artifacts/os-vim-driver-$V.tgz" -C helm os-vim-driver',
  ].join('\n'),
  publishCmd: [
    'set -e',
    '# 6.5 push the image',
    'printf %s "$DOCKER_REGISTRY_PASSWORD" | docker login --username "$DOCKER_REGISTRY_USER" --password-stdin "$BENCH_REGISTRY"',
    'docker push "$BENCH_IMAGE:${nextRelease.version}"',
  ].join('\n'),
  successCmd: [
    'set -e',
    '# 8. set the next development version and push it',
    `D=$(echo "\${nextRelease.version}" | awk -F. '{ printf "%d.%d.0", $1, $2 + 1 }')`,
    `jq --arg v "$D.dev0" '.version = $v' osvimdriver/pkg_info.json > osvimdriver/pkg_info.json.tmp`,
    'mv osvimdriver/pkg_info.json.tmp osvimdriver/pkg_info.json',
    `sed -i -E "s/^(  version:).*/\\1 $D.dev0/" helm/os-vim-driver/values.yaml`,
    `sed -i -E "s/^version:.*/version: $D-dev.0/; s/^appVersion:.*/appVersion: \\"$D.dev0\\"/" helm/os-vim-driver/Chart.yaml`,
    `git add ${VERSION_FILES.join(' ')}`,
    'git commit --quiet -m "chore(release): $D.dev0 [skip ci]"',
    'git push --quiet origin "HEAD:${branch.name}"',
  ].join('\n'),
};

/** The plugin list of each variant: everything but the middle plugin is the preset's. */
export function pluginsOf(variant: Variant, image: string): PluginEntry[] {
  if (variant === 'bare') return [];
  if (variant === 'stack-alone') return [[stackPlugin(), stackOptions(image)]];
  const withStack = variant === 'stack' || variant === 'stack-baseline-assets';
  const github: PluginEntry = [
    '@semantic-release/github',
    {
      assets:
        variant === 'baseline' || variant === 'stack-baseline-assets'
          ? [{ path: 'release-artifacts/*.tgz' }]
          : [
              { path: 'release-artifacts/*.tgz' },
              { path: 'release-artifacts/*.whl' },
              { path: 'release-artifacts/manifest.json' },
              { path: 'release-artifacts/SHA256SUMS' },
            ],
      failComment: false,
    },
  ];
  const middle: PluginEntry[] = withStack
    ? [[stackPlugin(), stackOptions(image)]]
    : variant === 'baseline'
      ? [[EXEC_BASELINE, BASELINE_COMMANDS]]
      : [];
  return [
    '@semantic-release/commit-analyzer',
    '@semantic-release/release-notes-generator',
    ['@semantic-release/changelog', { changelogFile: 'CHANGELOG.md' }],
    ...middle,
    [
      '@semantic-release/git',
      {
        assets: [...VERSION_FILES, 'CHANGELOG.md'],
        message: 'chore(release): ${nextRelease.version} [skip ci]\n\n${nextRelease.notes}',
      },
    ],
    github,
  ];
}

export interface Trace {
  /** Directory for wrappers, logs and the CPU profile. */
  dir: string;
  cpuProfile?: boolean;
}

export interface SrRun {
  code: number;
  wallMs: number;
  /** Epoch ms of spawn and exit. */
  startMs: number;
  endMs: number;
  output: string;
  steps: StepCall[];
  tools: ToolCall[];
  cpuProfile?: string;
}

export interface RunOptions {
  variant: Variant;
  services?: Services;
  dryRun?: boolean;
  trace?: Trace;
  /** Plugins instead of pluginsOf(variant). */
  plugins?: PluginEntry[];
  /** Build images with BuildKit (Debian's docker 20.10 CLI and DOCKER_BUILDKIT=1) instead of the legacy builder. */
  buildkit?: boolean;
  timeoutMs?: number;
}

async function excludeConfig(dir: string): Promise<void> {
  const exclude = join(dir, '.git', 'info', 'exclude');
  const current = await readFile(exclude, 'utf8').catch(() => '');
  if (!current.includes('/.releaserc.json')) await appendFile(exclude, '\n/.releaserc.json\n');
}

/** Runs the semantic-release CLI once; wall time is spawn → exit of the CLI's process. */
export async function runRelease(setup: ReleaseSetup, options: RunOptions): Promise<SrRun> {
  const { repo } = setup;
  const traceDir = options.trace?.dir;
  const work = traceDir ?? mkdtempSync(join(repo.root, 'run-'));
  mkdirSync(work, { recursive: true });
  const bin = makeBinDir(
    join(work, 'bin'),
    Boolean(traceDir),
    options.buildkit ? { docker: await requireBuildkitDockerCli() } : {},
  );
  let plugins = options.plugins ?? pluginsOf(options.variant, setup.image);
  if (traceDir) plugins = await wrapPlugins(join(work, 'wrappers'), plugins);
  const config = { branches: ['main'], repositoryUrl: setup.repositoryUrl, plugins };
  await excludeConfig(repo.dir);
  await writeFile(join(repo.dir, '.releaserc.json'), JSON.stringify(config, null, 2) + '\n');

  const stepLog = join(work, 'steps.jsonl');
  const toolLog = join(work, 'tools.tsv');
  const services = options.services;
  const env = semanticReleaseEnv(repo, {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    DOCKER_CONFIG: setup.dockerConfig,
    ...(services
      ? {
          ...githubEnv(services.github),
          DOCKER_HOST: services.dockerHost,
          DOCKER_REGISTRY_USER: REGISTRY_AUTH.user,
          DOCKER_REGISTRY_PASSWORD: REGISTRY_AUTH.password,
          BENCH_REGISTRY: services.registry.host,
          BENCH_IMAGE: setup.image,
        }
      : {}),
    ...(traceDir ? { BENCH_STEP_LOG: stepLog, BENCH_TOOL_LOG: toolLog } : {}),
    ...(options.buildkit ? { DOCKER_BUILDKIT: '1' } : {}),
  });
  const profDir = join(work, 'cpuprof');
  const nodeArgs = options.trace?.cpuProfile
    ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-interval', '500']
    : [];
  const args = [...nodeArgs, SEMANTIC_RELEASE_BIN, ...(options.dryRun ? ['--dry-run'] : [])];

  const startMs = Date.now();
  const t0 = performance.now();
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repo.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (exit) => {
      clearTimeout(timer);
      resolve({ code: exit ?? -1, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
  const wallMs = performance.now() - t0;
  const endMs = Date.now();
  const profiles = existsSync(profDir) ? readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')) : [];
  return {
    code,
    wallMs,
    startMs,
    endMs,
    output,
    steps: traceDir ? readStepLog(stepLog) : [],
    tools: traceDir ? readToolLog(toolLog) : [],
    ...(profiles[0] ? { cpuProfile: join(profDir, profiles[0]) } : {}),
  };
}

/** Fails loudly with the tail of the output when a run did not succeed. */
export function assertOk(run: SrRun, what: string): void {
  if (run.code !== 0) {
    const tail = run.output.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${what} exited with ${run.code}:\n${tail}`);
  }
}

export async function cleanupRun(setup: ReleaseSetup, services?: Services): Promise<void> {
  if (services) {
    // Keep the vfs image store from growing: remove this run's local images (both variants' tags).
    const { docker } = await import('../../test/helpers/docker.js');
    await docker(['image', 'rm', '--force', `${setup.image}:1.0.0`, `${setup.image}:latest`], {
      reject: false,
    });
  }
  rmSync(setup.repo.root, { recursive: true, force: true });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
