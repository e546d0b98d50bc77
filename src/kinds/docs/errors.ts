import { README, s, errorFactory, type ErrorTable } from '../../errors.js';

/** The docs archive kind's error codes (docs); merged with every other kind's into the one table (kinds/index.ts). */
export const DOCS_ERRORS = {
  EDOCSMISSING: (p) => ({
    message: `Docs directory \`${s(p.path)}\` does not exist.`,
    details: `Build the docs before the release's \`prepare\` step (e.g. in CI before \`semantic-release\`), or fix \`docs.dir\`, which is relative to the repository root. See [docs](${README}docs).`,
  }),
  EDOCSNOTDIR: (p) => ({
    message: `Docs path \`${s(p.path)}\` is not a directory.`,
    details: `\`docs.dir\` must name the folder whose contents go into the archive. See [docs](${README}docs).`,
  }),
  EDOCSEMPTY: (p) => ({
    message: `Docs directory \`${s(p.path)}\` has no files to archive${p.excluded ? ' after the exclude patterns' : ''}.`,
    details: `An empty docs archive usually means the docs build did not run. Build the docs first${p.excluded ? ', or loosen `docs.exclude`' : ''}. See [docs](${README}docs).`,
  }),
  EDOCSLINKOUT: (p) => ({
    message: `Docs entry \`${s(p.path)}\` is a symbolic link that ${s(p.reason)} (\`${s(p.target)}\`).`,
    details: `The archive must unpack inside its own folder with every link resolving there. Make the link relative to a file inside the docs directory, replace it with a copy of its target, or exclude it with \`docs.exclude\`. See [docs](${README}docs).`,
  }),
  EDOCSSPECIALFILE: (p) => ({
    message: `Docs entry \`${s(p.path)}\` is a ${s(p.kind)}, not a file, directory or link.`,
    details: `Only regular files, directories and symbolic links can go into the docs archive. Remove it or exclude it with \`docs.exclude\`. See [docs](${README}docs).`,
  }),
  EDOCSUNREADABLE: (p) => ({
    message: `Cannot read \`${s(p.path)}\` in the docs directory: ${s(p.reason)}.`,
    details: `Give the release user read access to the whole docs directory, or exclude the path with \`docs.exclude\`.`,
  }),
  EDOCSARCHIVE: (p) => ({
    message: `Could not write the docs archive \`${s(p.path)}\`: ${s(p.reason)}.`,
    details: `Nothing was left at \`${s(p.path)}\`. If the docs changed while the archive was written, re-run once they are stable; otherwise check free disk space and permissions.`,
  }),
} satisfies ErrorTable;

/** Builds this kind's coded errors, and the shared ones (EINVALIDOPTION, ECOMMANDFAILED…). */
export const stackError = errorFactory(DOCS_ERRORS);
