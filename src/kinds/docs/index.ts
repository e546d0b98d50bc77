import path from 'node:path';
import { releaseEpoch } from '../../core/epoch.js';
import { checkPath } from '../../files/index.js';
import { defineKind, type ReleaseContext } from '../../kind.js';
import { fillTemplate, templateRenderings } from '../../version.js';
import { buildDocsArchive, scanDocs } from './archive.js';
import { resolveDocsConfig, type DocsConfig } from './config.js';
import { DOCS_ERRORS } from './errors.js';

function archiveFile(config: DocsConfig, ctx: ReleaseContext) {
  const topFolder = fillTemplate(
    config.archiveName,
    ctx.release.versions,
    { name: config.name },
    'docs.archiveName',
  );
  return { topFolder, file: `${topFolder}.tgz` };
}

/** The versioned docs archive: `<name>-<version>-docs.tgz` with one top folder of the same name. */
export const docsKind = defineKind<DocsConfig>({
  name: 'docs',
  entry: 'docs',
  artifacts: [{ type: 'docs', githubAsset: '*.tgz' }],
  errors: DOCS_ERRORS,
  resolveConfig: resolveDocsConfig,
  renderings: (config) =>
    templateRenderings(config.archiveName).map((rendering) => ({ rendering, option: 'docs.archiveName' })),

  async check(config, ctx) {
    const where = await checkPath(ctx.root, config.dir, 'docs.dir', { write: false });
    if (!where.ok) return [where.error];
    const { errors } = await scanDocs({
      root: ctx.root,
      dir: where.abs,
      topFolder: 'docs',
      exclude: config.exclude,
    });
    return errors;
  },

  async checkRelease(config, ctx) {
    try {
      archiveFile(config, ctx);
      return [];
    } catch (error) {
      return [error as Error];
    }
  },

  plan(config, ctx) {
    const { file, topFolder } = archiveFile(config, ctx);
    return [
      {
        action: 'build',
        text: `docs archive ${path.posix.join(path.basename(ctx.artifactsDir), file)} (${config.dir}/ as ${topFolder}/)`,
      },
    ];
  },

  async prepare(config, ctx) {
    const { file, topFolder } = archiveFile(config, ctx);
    const outFile = path.join(ctx.artifactsDir, file);
    const result = await buildDocsArchive({
      root: ctx.root,
      dir: path.resolve(ctx.root, config.dir),
      topFolder,
      outFile,
      mtime: await releaseEpoch(ctx),
      exclude: config.exclude,
      level: config.level,
    });
    ctx.logger.log('Archived %s (%d entries) as %s', config.dir, result.entries, file);
    return [
      {
        kind: 'docs',
        type: 'docs',
        name: file,
        path: path.relative(ctx.root, outFile),
        sha256: result.sha256,
        size: result.size,
      },
    ];
  },
});
