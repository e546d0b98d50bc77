import { exec, type ExecContext } from '../exec.js';

/**
 * Git through the one exec helper. Credentials embedded in a push URL (semantic-release puts the
 * token there) are moved out of argv into an `http.extraHeader` given through GIT_CONFIG_* env vars.
 */
export interface Remote {
  url: string;
  env: Record<string, string>;
}

export function remoteFor(repositoryUrl: string, ctx: Pick<ExecContext, 'env' | 'redactor'>): Remote {
  const { redactor } = ctx;
  let parsed: URL;
  try {
    parsed = new URL(repositoryUrl);
  } catch {
    return { url: repositoryUrl, env: {} };
  }
  if (!/^https?:$/.test(parsed.protocol) || (!parsed.username && !parsed.password))
    return { url: repositoryUrl, env: {} };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  redactor.add(credentials);
  redactor.add(decodeURIComponent(parsed.password));
  redactor.add(decodeURIComponent(parsed.username));
  parsed.username = '';
  parsed.password = '';
  // Appended after any GIT_CONFIG_* entries the environment already carries.
  const index = Number(ctx.env.GIT_CONFIG_COUNT ?? 0) || 0;
  return {
    url: parsed.toString(),
    env: {
      GIT_CONFIG_COUNT: String(index + 1),
      [`GIT_CONFIG_KEY_${index}`]: 'http.extraHeader',
      [`GIT_CONFIG_VALUE_${index}`]: `Authorization: Basic ${Buffer.from(credentials).toString('base64')}`,
    },
  };
}

export async function git(ctx: ExecContext, args: string[], env: Record<string, string> = {}) {
  const { stdout } = await exec(ctx, 'git', args, { env: { GIT_TERMINAL_PROMPT: '0', ...env }, quiet: true });
  return stdout;
}

/** Runs git and reports failure as a value (push rejections are expected and retried). */
export async function tryGit(ctx: ExecContext, args: string[], env: Record<string, string> = {}) {
  const result = await exec(ctx, 'git', args, {
    env: { GIT_TERMINAL_PROMPT: '0', ...env },
    quiet: true,
    reject: false,
  });
  return { ok: result.exitCode === 0, output: `${result.stdout}\n${result.stderr}`.trim() };
}

const BOT = { name: 'semantic-release-bot', email: 'semantic-release-bot@martynus.net' };

/** Who commits for the release: the GIT_AUTHOR_ and GIT_COMMITTER_ pairs of the env, else semantic-release's bot. */
export function commitIdentity(env: ExecContext['env']): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: env.GIT_AUTHOR_NAME ?? BOT.name,
    GIT_AUTHOR_EMAIL: env.GIT_AUTHOR_EMAIL ?? BOT.email,
    GIT_COMMITTER_NAME: env.GIT_COMMITTER_NAME ?? BOT.name,
    GIT_COMMITTER_EMAIL: env.GIT_COMMITTER_EMAIL ?? BOT.email,
  };
}
