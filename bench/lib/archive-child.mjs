// Child process of the docs archive benchmark: builds one docs archive with the stack's
// buildDocsArchive (gzip level 6) and prints {ms, entries, size, maxRssKb} as JSON.
// Usage: node archive-child.mjs <dist dir> <repo root> <out file> <top folder>
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, root, outFile, topFolder] = process.argv.slice(2);
const { buildDocsArchive } = await import(pathToFileURL(join(dist, 'kinds/docs/archive.js')).href);
const t = performance.now();
const result = await buildDocsArchive({
  root,
  dir: join(root, 'docs'),
  topFolder,
  outFile,
  mtime: 1700000000,
  level: 6,
});
const ms = performance.now() - t;
console.log(
  JSON.stringify({
    ms,
    entries: result.entries,
    size: result.size,
    maxRssKb: process.resourceUsage().maxRSS,
  }),
);
