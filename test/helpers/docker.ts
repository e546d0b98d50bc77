/**
 * A real Docker Engine for the integration tests.
 *
 * One dockerd per machine serves the whole suite: it listens on /tmp/srs-docker/docker.sock, is
 * started on first use, detached, and left running so the next test file (another vitest fork)
 * reuses it. `stopDocker()` ends it.
 *
 * Facts found on Debian 12 (docker.io 20.10.24 daemon; /usr/local/bin/docker 28.x or Debian's
 * /usr/bin/docker 20.10 client, both fine against this daemon):
 * - The daemon runs with `--iptables=false --bridge=none --storage-driver=vfs`, so there is no
 *   `bridge` network; `docker network ls` shows only `host` and `none`.
 * - `docker build` without buildx falls back to the legacy builder (a DEPRECATED notice on
 *   stderr, exit code 0). `FROM scratch` + `COPY` builds offline.
 * - `RUN` steps work with no `--network` flag: with the bridge disabled the build containers get
 *   the `none` network (loopback only). `--network none` is the same, and `--network host` works
 *   too (the step then shares the host's network namespace and can reach 127.0.0.1 services).
 *   A `RUN` needs a shell/binary in the image: copy /usr/bin/busybox (busybox-static) to
 *   /bin/busybox and use `RUN ["/bin/busybox", …]` or install its applets with
 *   `RUN ["/bin/busybox","--install","-s","/bin"]` first.
 * - Registries on 127.0.0.0/8 are insecure by default (`docker info` → Insecure Registries:
 *   127.0.0.0/8), so `docker login/push/pull 127.0.0.1:PORT/…` speak plain HTTP with no
 *   daemon configuration.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { execa, type Result } from 'execa';
import { INSTALL_HINTS, requireTool } from './tools.js';

export const DOCKER_DIR = '/tmp/srs-docker';
export const DOCKER_SOCKET = `${DOCKER_DIR}/docker.sock`;
export const DOCKER_HOST = `unix://${DOCKER_SOCKET}`;
export const DOCKER_PIDFILE = `${DOCKER_DIR}/docker.pid`;
export const DOCKER_LOG = `${DOCKER_DIR}/dockerd.log`;
const LOCK_DIR = `${DOCKER_DIR}/start.lock`;
const START_TIMEOUT_MS = 60_000;

export interface DockerDaemon {
  /** The DOCKER_HOST value, `unix:///tmp/srs-docker/docker.sock`. */
  host: string;
  /** Path of the docker CLI that was found on PATH. */
  docker: string;
}

/** GET /_ping on the daemon socket; true when it answers "OK". */
export function pingDocker(socket: string = DOCKER_SOCKET, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    if (!existsSync(socket)) return resolve(false);
    const req = request({ socketPath: socket, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'OK'));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function logTail(lines = 30): string {
  try {
    return readFileSync(DOCKER_LOG, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no dockerd log)';
  }
}

/** Takes the start lock (a directory, atomic); clears a lock left by a dead process. */
function tryLock(): boolean {
  try {
    mkdirSync(LOCK_DIR);
    writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8'));
    } catch {
      // the owner may not have written its pid yet
    }
    if (Number.isInteger(owner) && !isAlive(owner)) {
      rmSync(LOCK_DIR, { recursive: true, force: true });
    }
    return false;
  }
}

async function dockerInfoWorks(docker: string): Promise<Result | undefined> {
  const result = await execa(docker, ['info', '--format', '{{.ServerVersion}}'], {
    env: { DOCKER_HOST },
    reject: false,
    timeout: 20_000,
  });
  return result.exitCode === 0 ? result : undefined;
}

/**
 * Reuses the suite's dockerd if it answers at /tmp/srs-docker/docker.sock, otherwise starts it
 * detached and waits (60 s at most) until `docker info` works.
 */
export async function ensureDocker(): Promise<DockerDaemon> {
  const docker = await requireTool('docker', INSTALL_HINTS.docker);
  if ((await pingDocker()) && (await dockerInfoWorks(docker))) return { host: DOCKER_HOST, docker };

  const dockerd = await requireTool('dockerd', INSTALL_HINTS.dockerd);
  mkdirSync(DOCKER_DIR, { recursive: true });
  const deadline = Date.now() + START_TIMEOUT_MS;

  // Another test file may be starting it right now: only the lock holder spawns dockerd.
  while (!tryLock()) {
    if (await pingDocker()) {
      if (await dockerInfoWorks(docker)) return { host: DOCKER_HOST, docker };
    }
    if (Date.now() > deadline) {
      throw new Error(`dockerd did not answer at ${DOCKER_SOCKET} within 60 s (started by another process).
--- tail of ${DOCKER_LOG} ---
${logTail()}`);
    }
    await sleep(250);
  }

  try {
    if ((await pingDocker()) && (await dockerInfoWorks(docker))) return { host: DOCKER_HOST, docker };
    const logFd = openSync(DOCKER_LOG, 'a');
    let exited: string | undefined;
    let child;
    try {
      child = spawn(
        dockerd,
        [
          '--iptables=false',
          '--bridge=none',
          '--storage-driver=vfs',
          '--data-root',
          `${DOCKER_DIR}/root`,
          '--exec-root',
          `${DOCKER_DIR}/exec`,
          '--pidfile',
          DOCKER_PIDFILE,
          '--host',
          DOCKER_HOST,
        ],
        { detached: true, stdio: ['ignore', logFd, logFd] },
      );
    } finally {
      closeSync(logFd);
    }
    child.on('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));
    child.on('error', (error) => (exited = `spawn error: ${error.message}`));
    child.unref();

    while (Date.now() < deadline) {
      if (exited) {
        throw new Error(`dockerd exited during start-up (${exited}).
--- tail of ${DOCKER_LOG} ---
${logTail()}`);
      }
      if ((await pingDocker()) && (await dockerInfoWorks(docker))) return { host: DOCKER_HOST, docker };
      await sleep(250);
    }
    throw new Error(`dockerd did not answer \`docker info\` at ${DOCKER_SOCKET} within 60 s.
--- tail of ${DOCKER_LOG} ---
${logTail()}`);
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Stops the suite's dockerd (the pid in /tmp/srs-docker/docker.pid, if it is that dockerd). */
export async function stopDocker(timeoutMs = 30_000): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(DOCKER_PIDFILE, 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    // not Linux /proc: trust the pidfile
  }
  if (cmdline && !(cmdline.includes('dockerd') && cmdline.includes(DOCKER_SOCKET))) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Debian's docker.io CLI (20.10). Unlike docker CLI 23 and later, it builds with BuildKit on
 * `DOCKER_BUILDKIT=1` without the buildx plugin, which Debian 12 does not package (GitHub's runners
 * have buildx). The tests and the benchmark's `--builder=buildkit` use it against the same daemon.
 */
const DEBIAN_DOCKER_CLI = '/usr/bin/docker';

/** The path of Debian's docker 20.10 CLI; throws how to install it when it is not there. */
export async function requireBuildkitDockerCli(): Promise<string> {
  const version = await execa(DEBIAN_DOCKER_CLI, ['--version'], { reject: false }).catch(() => undefined);
  if (version?.exitCode !== 0 || !/Docker version 20\.10\./.test(version.stdout))
    throw new Error(
      `Debian's docker 20.10 CLI is missing at ${DEBIAN_DOCKER_CLI} (found: ${
        version?.stdout.trim() || 'nothing'
      }): ${INSTALL_HINTS.docker}`,
    );
  return DEBIAN_DOCKER_CLI;
}

export interface DockerRunOptions {
  /** DOCKER_CONFIG directory (credentials); a fresh one per login keeps ~/.docker untouched. */
  config?: string;
  input?: string;
  cwd?: string;
  reject?: boolean;
  timeout?: number;
}

/** Runs the docker CLI against the suite's daemon. */
export async function docker(args: string[], options: DockerRunOptions = {}) {
  const cli = await requireTool('docker', INSTALL_HINTS.docker);
  return execa(cli, args, {
    env: { DOCKER_HOST, ...(options.config ? { DOCKER_CONFIG: options.config } : {}) },
    input: options.input,
    cwd: options.cwd,
    reject: options.reject ?? true,
    timeout: options.timeout ?? 300_000,
  });
}

/**
 * `docker login --password-stdin` into a new temporary DOCKER_CONFIG directory; returns that
 * directory (pass it as `config` to `docker()` or as DOCKER_CONFIG to a child process).
 */
export async function dockerLogin(host: string, auth: { user: string; password: string }): Promise<string> {
  const config = await mkdtemp(join(tmpdir(), 'srs-docker-config-'));
  await docker(['login', '--username', auth.user, '--password-stdin', host], {
    config,
    input: auth.password,
  });
  return config;
}

export interface PrivateDockerd {
  /** The DOCKER_HOST value of this daemon. */
  host: string;
  /** Stops the daemon and removes its store. */
  stop(): Promise<void>;
}

/**
 * A dockerd of one test's own, with an empty store (what a fresh CI runner has): its own data-root,
 * exec-root, pidfile and socket in a new /tmp directory (short: containerd's socket path lives under
 * the exec-root and must stay below 108 bytes), the suite daemon's flags otherwise. Nothing another
 * test built is in it, and stopping it removes everything it built.
 */
export async function startPrivateDockerd(): Promise<PrivateDockerd> {
  const docker = await requireTool('docker', INSTALL_HINTS.docker);
  const dockerd = await requireTool('dockerd', INSTALL_HINTS.dockerd);
  const dir = await mkdtemp('/tmp/srs-dockerd-');
  const socket = join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  const log = join(dir, 'dockerd.log');
  const logFd = openSync(log, 'a');
  const child = spawn(
    dockerd,
    [
      '--iptables=false',
      '--bridge=none',
      '--storage-driver=vfs',
      ...['--data-root', join(dir, 'root'), '--exec-root', join(dir, 'exec')],
      ...['--pidfile', join(dir, 'docker.pid'), '--host', host],
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const deadline = Date.now() + 30_000;
      while (!exited && Date.now() < deadline) await sleep(200);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && !exited) {
    if (await pingDocker(socket)) {
      const info = await execa(docker, ['info', '--format', '{{.ServerVersion}}'], {
        env: { DOCKER_HOST: host },
        reject: false,
      });
      if (info.exitCode === 0) return { host, stop };
    }
    await sleep(250);
  }
  const tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-30).join('\n');
  await stop();
  throw new Error(`a private dockerd did not start (${exited ?? 'no answer in 60 s'}):\n${tail}`);
}
