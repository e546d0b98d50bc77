/**
 * A git server over smart HTTP for the tests: Debian git's own `git-http-backend` (CGI) behind a
 * loopback node:http server that answers 401 to any request without `Authorization: Basic
 * base64(user:password)` — what a host reached through actions/checkout's
 * `http.<url>.extraheader`, or through a token in the URL, expects. The repositories are the bare
 * ones under `projectRoot` (`<projectRoot>/acme/demo.git` is `<url>/acme/demo.git`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback-server.js';

const BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitHttpServer {
  url: string;
  /** The header value the server wants (`Basic …`). */
  authorization: string;
  /** Every request: method, path and whether it carried the right credentials. */
  requests: Array<{ method: string; path: string; authorized: boolean }>;
  stop(): Promise<void>;
}

export async function startGitHttp(options: {
  projectRoot: string;
  user: string;
  password: string;
}): Promise<GitHttpServer> {
  if (!existsSync(BACKEND)) throw new Error(`${BACKEND} is missing: apt-get install -y git`);
  const authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
  const requests: GitHttpServer['requests'] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorized = req.headers.authorization === authorization;
    requests.push({ method: req.method ?? '', path: url.pathname, authorized });
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const header = (name: string) => String(req.headers[name] ?? '');
    const cgi = spawn(BACKEND, [], {
      env: {
        PATH: process.env.PATH,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_PROJECT_ROOT: options.projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        // A REMOTE_USER is what lets git-http-backend accept pushes (http.receivepack's default).
        REMOTE_USER: options.user,
        REMOTE_ADDR: '127.0.0.1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: header('content-type'),
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: header('content-length') } : {}),
        HTTP_CONTENT_ENCODING: header('content-encoding'),
        GIT_PROTOCOL: header('git-protocol'),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    let head: Buffer | undefined = Buffer.alloc(0);
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (!head) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
      head = undefined;
    });
    cgi.on('close', () => res.end());
  });
  return {
    url: await listenOnLoopback(server),
    authorization,
    requests,
    stop: () => closeServer(server),
  };
}
