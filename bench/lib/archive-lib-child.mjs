// Child process of the docs archive benchmark: writes the same docs archive as buildDocsArchive with
// a tar library instead of the stack's writer, and prints {ms, entries, size, maxRssKb} as JSON.
// Usage: node archive-lib-child.mjs <writer> <dist dir> <repo root> <out file> <top folder>
//   writer: tar-stream          tar-stream's pack piped into zlib.createGzip (one zlib stream)
//           tar-stream-parallel tar-stream's pack piped into the stack's ParallelDeflateRaw
//           node-tar            node-tar's create() with gzip, portable, fixed mtime, a path list
// Every writer gets the stack's own scan (scanDocs: the same entries, in the same byte order), the
// same top folder, mtime 1700000000, owner 0 without names, modes 0755/0644 by the exec bit, and
// gzip level 6, so only the writing differs.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

const [writer, dist, root, outFile, topFolder] = process.argv.slice(2);
const MTIME = 1700000000;
const load = (rel) => import(pathToFileURL(join(dist, rel)).href);
const { scanDocs } = await load('kinds/docs/archive.js');

const dir = join(root, 'docs');
const t = performance.now();
const { entries, errors } = await scanDocs({ root, dir, topFolder });
if (errors.length > 0) throw errors[0];
const at = (rel) => (rel ? `${topFolder}/${rel}` : topFolder);
const fileMode = (abs) => ((statSync(abs).mode & 0o111) !== 0 ? 0o755 : 0o644);

/** gzip framing (fixed header, CRC-32 and size trailer) around a raw deflate stream. */
function gzipAround(deflateRaw) {
  let crc = 0;
  let size = 0;
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const count = new Transform({
    transform(chunk, _enc, done) {
      crc = zlib.crc32(chunk, crc);
      size = (size + chunk.length) >>> 0;
      done(null, chunk);
    },
  });
  const frame = new Transform({
    transform(chunk, _enc, done) {
      if (header.length && !this.started) {
        this.started = true;
        this.push(header);
      }
      done(null, chunk);
    },
    flush(done) {
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc, 0);
      trailer.writeUInt32LE(size, 4);
      done(null, trailer);
    },
  });
  return [count, deflateRaw, frame];
}

async function withTarStream(parallel) {
  const { default: tarStream } = await import('tar-stream');
  const pack = tarStream.pack();
  let compress;
  if (parallel) {
    const { ParallelDeflateRaw } = await load('archive/parallel-gzip.js');
    compress = gzipAround(new ParallelDeflateRaw({ level: 6 }));
  } else compress = [zlib.createGzip({ level: 6 })];
  const out = createWriteStream(outFile);
  const written = pipeline(pack, ...compress, out);
  const mtime = new Date(MTIME * 1000);
  const owner = { uid: 0, gid: 0, mtime };
  for (const e of entries) {
    const name = at(e.rel);
    if (e.kind === 'directory') pack.entry({ name: `${name}/`, type: 'directory', mode: 0o755, ...owner });
    else if (e.kind === 'symlink')
      pack.entry({ name, type: 'symlink', linkname: e.target, mode: 0o777, ...owner });
    else {
      const abs = join(dir, e.rel);
      const size = statSync(abs).size;
      await new Promise((resolve, reject) => {
        const sink = pack.entry({ name, size, mode: fileMode(abs), ...owner }, (error) =>
          error ? reject(error) : resolve(),
        );
        pipeline(createReadStream(abs), sink).catch(reject);
      });
    }
  }
  pack.finalize();
  await written;
}

async function withNodeTar() {
  const tar = await import('tar');
  const paths = [...entries].map((e) => e.rel || '.');
  await tar.create(
    {
      cwd: dir,
      file: outFile,
      prefix: topFolder,
      gzip: { level: 6 },
      portable: true,
      mtime: new Date(MTIME * 1000),
      noDirRecurse: true,
      onWriteEntry: (entry) => {
        if (entry.type === 'Directory') entry.mode = 0o755;
        else if (entry.type === 'SymbolicLink') entry.mode = 0o777;
        else entry.mode = (entry.mode & 0o111) !== 0 ? 0o755 : 0o644;
      },
    },
    paths,
  );
}

if (writer === 'tar-stream') await withTarStream(false);
else if (writer === 'tar-stream-parallel') await withTarStream(true);
else if (writer === 'node-tar') await withNodeTar();
else throw new Error(`unknown writer ${writer}`);

console.log(
  JSON.stringify({
    ms: performance.now() - t,
    entries: entries.length,
    size: statSync(outFile).size,
    maxRssKb: process.resourceUsage().maxRSS,
  }),
);
