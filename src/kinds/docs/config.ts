import path from 'node:path';
import * as z from 'zod';
import { parseOptions, relativePath } from '../../core/options.js';
import type { ConfigResult, StepContext } from '../../kind.js';

export const docsSchema = z
  .object({
    /** Folder to archive. */
    dir: relativePath.optional(),
    /** Project name in the archive name; defaults to the repository's name. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
      .optional(),
    /** Name of the archive's single top folder (the file adds `.tgz`); placeholders as in the README. */
    archiveName: z.string().min(1).optional(),
    /** Globs relative to `dir` left out of the archive (`**\/*.map`, `_build/**`). */
    exclude: z.array(z.string().min(1)).optional(),
    /** gzip level 1–9 (6, gzip's default). */
    level: z.number().int().min(1).max(9).optional(),
  })
  .strict();

export interface DocsConfig {
  dir: string;
  name: string;
  archiveName: string;
  exclude: string[];
  level: number;
}

export const DEFAULT_ARCHIVE_NAME = '{name}-{version}-docs';

/** The repository's name: the last path segment of repositoryUrl, else the root folder's name. */
function repositoryName(ctx: StepContext): string {
  const url = String(ctx.options.repositoryUrl ?? '');
  const last = url
    .replace(/\.git$/, '')
    .split(/[/:]/)
    .filter(Boolean)
    .pop();
  return last && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(last) ? last : path.basename(ctx.root);
}

export function resolveDocsConfig(raw: unknown, ctx: StepContext): ConfigResult<DocsConfig> {
  const parsed = parseOptions(docsSchema, raw, 'docs');
  if (!parsed.value) return { config: undefined, errors: parsed.errors };
  const o = parsed.value;
  return {
    config: {
      dir: o.dir ?? 'docs',
      name: o.name ?? repositoryName(ctx),
      archiveName: o.archiveName ?? DEFAULT_ARCHIVE_NAME,
      exclude: o.exclude ?? [],
      level: o.level ?? 6,
    },
    errors: [],
  };
}
