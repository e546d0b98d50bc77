import type { StepContext } from '../../kind.js';
import type { Credentials } from './builders/builder.js';
import { stackError } from './errors.js';

/** Where an image's registry login comes from (for messages: never a value). */
export type CredentialSource =
  | { from: 'env'; user: string; password: string }
  | { from: 'github-token'; user: string }
  | { from: 'login' };

const DEFAULT_PAIR = { user: 'DOCKER_REGISTRY_USER', password: 'DOCKER_REGISTRY_PASSWORD' };
/** The user name sent with GITHUB_TOKEN when GITHUB_ACTOR is unset: ghcr.io reads only the token. */
export const GITHUB_TOKEN_USER = 'x-access-token';

/**
 * An image's login: the variables its `credentials` name, else the DOCKER_REGISTRY_* pair; for a
 * GitHub registry with neither, GITHUB_TOKEN (as GITHUB_ACTOR); else the builder's existing login.
 * A pair named explicitly must be set; the default pair must be set whole or not at all.
 */
export function credentialsOf(
  named: { user: string; password: string } | undefined,
  github: boolean,
  ctx: StepContext,
): { credentials?: Credentials; source: CredentialSource; errors: Error[] } {
  const pair = named ?? DEFAULT_PAIR;
  const username = ctx.env[pair.user];
  const password = ctx.env[pair.password];
  if (username && password) {
    ctx.redactor.add(password);
    ctx.redactor.add(`${username}:${password}`);
    return { credentials: { username, password }, source: { from: 'env', ...pair }, errors: [] };
  }
  if (named || username || password) {
    const missing = [pair.user, pair.password].filter((name) => !ctx.env[name]);
    return {
      source: { from: 'login' },
      errors: [
        stackError('EDOCKERCREDENTIALS', {
          missing: missing.join(' and '),
          plural: missing.length > 1,
          user: pair.user,
          password: pair.password,
        }),
      ],
    };
  }
  const token = ctx.env.GITHUB_TOKEN;
  if (github && token) {
    const user = ctx.env.GITHUB_ACTOR || GITHUB_TOKEN_USER;
    ctx.redactor.add(token);
    return {
      credentials: { username: user, password: token },
      source: { from: 'github-token', user },
      errors: [],
    };
  }
  return { source: { from: 'login' }, errors: [] };
}

/** Which registry hosts are GitHub's container registry (a seam: tests name a loopback one). */
export type GithubRegistryTest = (registry: string) => boolean;
export const isGhcr: GithubRegistryTest = (registry) => registry === 'ghcr.io';
