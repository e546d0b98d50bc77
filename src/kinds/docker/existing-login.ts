import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { exec } from '../../exec.js';
import type { StepContext } from '../../kind.js';
import type { Credentials } from '../../oci/client.js';
import type { ImageName } from '../../oci/reference.js';
import type { BuilderName } from './builders/builder.js';

interface AuthFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Where the builder keeps its logins, in the order it reads them. */
function authFiles(builder: BuilderName, env: StepContext['env']): string[] {
  const home = env.HOME;
  const docker = env.DOCKER_CONFIG ?? (home ? path.join(home, '.docker') : undefined);
  const dockerFile = docker ? [path.join(docker, 'config.json')] : [];
  if (builder === 'docker') return dockerFile;
  return [
    env.REGISTRY_AUTH_FILE,
    env.XDG_RUNTIME_DIR && path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'),
    home && path.join(home, '.config', 'containers', 'auth.json'),
    ...dockerFile,
  ].filter((f): f is string => !!f);
}

/** Keys a login for the registry may be stored under. */
function keysFor(image: ImageName): string[] {
  const host = image.registry;
  const keys = [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
  return host === 'docker.io'
    ? ['https://index.docker.io/v1/', 'index.docker.io', 'registry-1.docker.io', ...keys]
    : keys;
}

/**
 * The credentials the user's existing login holds for the image's registry, read without writing
 * anything: a file entry, or the credential helper's `get`. Used to read the registry's state (the
 * digest check) when no DOCKER_REGISTRY_* credentials are given; undefined for anonymous access.
 */
export async function existingLogin(
  builder: BuilderName,
  image: ImageName,
  ctx: StepContext,
): Promise<Credentials | undefined> {
  for (const file of authFiles(builder, ctx.env)) {
    const config = await readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as AuthFile,
      () => undefined,
    );
    if (!config) continue;
    for (const key of keysFor(image)) {
      const helper = config.credHelpers?.[key];
      if (helper) return fromHelper(helper, key, ctx);
      const auth = config.auths?.[key]?.auth;
      if (auth) return fromBasic(auth, ctx);
    }
    if (config.credsStore) {
      for (const key of keysFor(image)) {
        const found = await fromHelper(config.credsStore, key, ctx);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function fromBasic(auth: string, ctx: StepContext): Credentials | undefined {
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  ctx.redactor.add(decoded);
  ctx.redactor.add(decoded.slice(colon + 1));
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function fromHelper(
  helper: string,
  server: string,
  ctx: StepContext,
): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper)) return undefined;
  const result = await exec(ctx, `docker-credential-${helper}`, ['get'], {
    input: server,
    quiet: true,
    reject: false,
  }).catch(() => undefined);
  if (!result || result.exitCode !== 0) return undefined;
  const { Username, Secret } = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
  // `<token>` marks an identity token for an OAuth flow this client does not speak.
  if (!Username || !Secret || Username === '<token>') return undefined;
  ctx.redactor.add(Secret);
  ctx.redactor.add(`${Username}:${Secret}`);
  return { username: Username, password: Secret };
}
