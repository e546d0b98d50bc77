import { committerTime } from '../../core/epoch.js';
import type { ReleaseContext } from '../../kind.js';
import { fillTemplate } from '../../version.js';
import type { ImageConfig } from './config.js';

/**
 * The image's labels: the OCI annotations a release knows (version, revision, created, source), then
 * the user's, which win. `created` is SOURCE_DATE_EPOCH when set (reproducible builds), else the
 * release commit's committer time, so rebuilding the same commit gives the same label.
 */
export async function imageLabels(config: ImageConfig, ctx: ReleaseContext): Promise<Record<string, string>> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.version': ctx.release.versions.semver,
    'org.opencontainers.image.revision': ctx.release.gitHead,
    'org.opencontainers.image.created': await createdTime(ctx),
  };
  const source = sourceUrl(ctx.options.repositoryUrl);
  if (source) labels['org.opencontainers.image.source'] = source;
  for (const [key, value] of Object.entries(config.labels)) {
    labels[key] = fillTemplate(value, ctx.release.versions, {}, `${config.option}.labels.${key}`);
  }
  return labels;
}

export function buildArgs(config: ImageConfig, ctx: ReleaseContext): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config.buildArgs).map(([name, value]) => [
      name,
      fillTemplate(value, ctx.release.versions, {}, `${config.option}.buildArgs.${name}`),
    ]),
  );
}

async function createdTime(ctx: ReleaseContext): Promise<string> {
  const epoch = ctx.env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString().replace('.000Z', 'Z');
  const seconds = await committerTime(ctx, ctx.release.gitHead);
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The repository as a browsable URL, without credentials: semantic-release may have put a token
 * into `repositoryUrl` for its git push. `git@host:org/repo.git` becomes `https://host/org/repo`;
 * a local path is left out.
 */
export function sourceUrl(repositoryUrl: unknown): string | undefined {
  if (typeof repositoryUrl !== 'string' || !repositoryUrl) return undefined;
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(repositoryUrl);
  const text = scp ? `https://${scp[1]}/${scp[2]}` : repositoryUrl.replace(/^git\+/, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return undefined;
  const host = url.protocol.startsWith('http') ? url.host : url.hostname;
  return `https://${host}${url.pathname.replace(/\.git$/, '').replace(/\/$/, '')}`;
}
