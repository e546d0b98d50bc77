/**
 * Shared pieces of the reliability tests: the built plugin and CLI, a loopback TCP proxy that can
 * take a registry "down" (refusing every connection while a file exists), and a Python service
 * repository laid out the way the product's README describes.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { PROJECT_ROOT } from '../helpers/semantic-release.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule } from '../helpers/tools.js';

export const PLUGIN = path.join(PROJECT_ROOT, 'dist/index.js');
export const CLI = path.join(PROJECT_ROOT, 'dist/cli.js');
export const FIXTURE_PLUGINS = path.join(PROJECT_ROOT, 'test/fixtures/plugins');

/** dist/ is what semantic-release loads: the tests run the built package, never the sources. */
export function requireDist(): void {
  for (const file of [PLUGIN, CLI]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}

/** Runs `semantic-release-stack <args>` (dist/cli.js) with exactly `env`. */
export async function runCli(args: string[], options: { cwd: string; env: Record<string, string> }) {
  const result = await execa(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: 300_000,
  });
  return {
    code: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    output: String(result.all),
  } satisfies CliResult;
}

export interface FlakyProxy {
  /** `127.0.0.1:PORT`, the registry host to put in image names. */
  host: string;
  /** While this file exists every new connection is closed at once (the registry is "down"). */
  downFile: string;
  /**
   * While this file exists the registry refuses every write (POST, PUT, PATCH, DELETE) with 403
   * DENIED, as a read-only registry or credentials without push rights do; reads go through.
   */
  readOnlyFile: string;
  connections(): number;
  refused(): number;
  stop(): Promise<void>;
}

/**
 * A TCP proxy to `127.0.0.1:targetPort` that refuses connections while `downFile` exists, and cuts
 * open ones at their next request; while `${downFile}.read-only` exists it answers writes with 403.
 */
const WRITE = /^(POST|PUT|PATCH|DELETE) /;
const DENIED_BODY = '{"errors":[{"code":"DENIED","message":"this registry is read-only"}]}';
const DENIED = `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${DENIED_BODY.length}\r\nConnection: close\r\n\r\n${DENIED_BODY}`;

export async function flakyProxy(targetPort: number, downFile: string): Promise<FlakyProxy> {
  const readOnlyFile = `${downFile}.read-only`;
  const sockets = new Set<Socket>();
  let connections = 0;
  let refused = 0;
  const server = createServer((client) => {
    connections++;
    if (existsSync(downFile)) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      // An outage also ends connections opened before it (a kept-alive socket of the registry client).
      if (existsSync(downFile)) {
        refused++;
        client.destroy();
        upstream.destroy();
        return;
      }
      // A request's first chunk starts with its method; the connection is closed after a refusal.
      if (existsSync(readOnlyFile) && WRITE.test(chunk.subarray(0, 8).toString('latin1'))) {
        refused++;
        upstream.destroy();
        client.end(DENIED);
        return;
      }
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    client.on('end', () => upstream.end());
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    downFile,
    readOnlyFile,
    connections: () => connections,
    refused: () => refused,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const DOCKERFILE = 'FROM scratch\nCOPY whls/ /whls/\nCOPY app.txt /app.txt\n';

/** The seed's layout: setup.py reading osvimdriver/pkg_info.json, docs, a Docker context, a chart. */
export async function serviceFiles(): Promise<Record<string, string>> {
  const fixture = path.join(PROJECT_ROOT, 'test/fixtures/python/setup-py-project');
  const files: Record<string, string> = {
    '.gitignore': 'release-artifacts/\nbuild/\ndist/\n*.egg-info/\ndocker/whls/*.whl\n',
    'docs/index.html': '<h1>docs</h1>\n',
    'docker/Dockerfile': DOCKERFILE,
    'docker/app.txt': 'the service\n',
    'docker/whls/.gitkeep': '',
    'helm/os-vim-driver/Chart.yaml':
      '# chart\napiVersion: v2\nname: os-vim-driver\nversion: 0.1.0\nappVersion: "0.1.0"\n',
    'helm/os-vim-driver/values.yaml': 'docker:\n  image: accanto/os-vim-driver\n  version: 0.1.0\n',
  };
  for (const rel of ['setup.py', 'osvimdriver/__init__.py', 'osvimdriver/pkg_info.json']) {
    files[rel] = await readFile(path.join(fixture, rel), 'utf8');
  }
  return files;
}

/** The service's kind sections: the wheel from osvimdriver/pkg_info.json, its docs, its chart. */
export const SERVICE = {
  python: { versionFiles: ['osvimdriver/pkg_info.json'], interpreter: SYSTEM_PYTHON, isolation: false },
  docs: { dir: 'docs', name: 'os-vim-driver' },
  helm: { chart: 'helm/os-vim-driver', imageTagKey: 'docker.version' },
};

/** What releasing the service needs: the built package and `python -m build`. */
export async function requireServiceBuild(): Promise<void> {
  requireDist();
  await requirePythonModule('build', INSTALL_HINTS.build);
}

/**
 * The service's release configuration on `main`: the commit analyzer and notes generator, then
 * `before`, the stack (the built plugin) with `stack` as its options, then `after`.
 */
export function serviceRelease(
  repositoryUrl: string,
  stack: Record<string, unknown>,
  { before = [], after = [] }: { before?: unknown[]; after?: unknown[] } = {},
) {
  return {
    branches: ['main'],
    repositoryUrl,
    plugins: [
      '@semantic-release/commit-analyzer',
      '@semantic-release/release-notes-generator',
      ...before,
      [PLUGIN, stack],
      ...after,
    ],
  };
}

export const VERSION_FILES = [
  'osvimdriver/pkg_info.json',
  'helm/os-vim-driver/Chart.yaml',
  'helm/os-vim-driver/values.yaml',
];

/** Lists a directory recursively (relative paths, sorted); [] when it does not exist. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else out.push(child);
    }
  }
  await walk('');
  return out.sort();
}
