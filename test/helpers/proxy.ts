/**
 * A real HTTP proxy: Debian's `tinyproxy` on a free loopback port, its config and its own access
 * log in a temporary directory.
 *
 * tinyproxy forwards a plain http:// request as the client sent it (`GET http://host:port/path`,
 * adding `Via: 1.1 … (tinyproxy/…)`) and tunnels an https:// one (`CONNECT host:port`); it logs
 * every request line it receives (LogLevel Connect), so `requests()` is what passed through it.
 * It carries one request per client connection and then closes it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './registry.js';
import { INSTALL_HINTS, requireTool } from './tools.js';

export interface ProxyRequest {
  method: string;
  /** `http://127.0.0.1:5000/v2/` for a forwarded request, `127.0.0.1:5000` for CONNECT. */
  target: string;
}

export interface StartedProxy {
  /** `http://127.0.0.1:PORT`: the value of HTTP_PROXY / HTTPS_PROXY. */
  url: string;
  port: number;
  /** The temporary directory with tinyproxy.conf and access.log. */
  dir: string;
  /** Every request line the proxy logged so far, in order. */
  requests(): Promise<ProxyRequest[]>;
  stop(): Promise<void>;
}

export interface ProxyOptions {
  /** Asks for these credentials (407 without them). */
  basicAuth?: { user: string; password: string };
  /** The only ports CONNECT may reach (default: any); a tunnel elsewhere gets 403. */
  connectPorts?: number[];
}

const REQUEST_LINE = /Request \(file descriptor \d+\): (\S+) (\S+) HTTP\/1\.[01]$/;

function config(port: number, log: string, options: ProxyOptions): string {
  return [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 120',
    `LogFile "${log}"`,
    'LogLevel Connect',
    'MaxClients 200',
    'Allow 127.0.0.1',
    ...(options.basicAuth ? [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`] : []),
    ...(options.connectPorts ?? []).map((p) => `ConnectPort ${p}`),
    '',
  ].join('\n');
}

async function waitForPort(port: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const reason = exited();
    if (reason) throw new Error(`tinyproxy exited before it listened (${reason})`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`tinyproxy did not listen on 127.0.0.1:${port} within 15 s`);
}

/** Starts `tinyproxy -d -c <dir>/tinyproxy.conf` on a free loopback port. */
export async function startProxy(options: ProxyOptions = {}): Promise<StartedProxy> {
  const binary = await requireTool('tinyproxy', INSTALL_HINTS.tinyproxy);
  const dir = await mkdtemp(join(tmpdir(), 'srs-proxy-'));
  const log = join(dir, 'access.log');
  const port = await freePort();
  await writeFile(join(dir, 'tinyproxy.conf'), config(port, log, options));
  const child = spawn(binary, ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = `code ${code}, signal ${signal}`;
      resolve();
    }),
  );
  const stop = async () => {
    if (exit === undefined) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, () => exit);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    async requests() {
      const text = await readFile(log, 'utf8').catch(() => '');
      return text.split('\n').flatMap((line) => {
        const match = REQUEST_LINE.exec(line.trim());
        return match ? [{ method: match[1]!, target: match[2]! }] : [];
      });
    },
    stop,
  };
}
