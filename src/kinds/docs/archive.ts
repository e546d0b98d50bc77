import { createHash, randomBytes } from 'node:crypto';
import { close as closeCallback, read as readCallback, type Dirent, type Stats } from 'node:fs';
import {
  mkdir,
  open,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { PathList, type PathEntry } from '../../archive/path-list.js';
import { readAhead } from '../../archive/read-ahead.js';
import { createTarGz } from '../../archive/tar-writer.js';
import { isStackError, stackError, throwAll } from '../../errors.js';

/**
 * The docs archive: `<topFolder>/` plus everything under the docs dir, like the seed's
 * `tar -czf name.tgz docs/ --transform s/docs/<topFolder>/`, but reproducible: sorted, one mtime,
 * owner 0, normalised modes, and refused when a link or special file would make it unsafe.
 */
export interface DocsArchiveInput {
  /** Repository root, absolute. */
  root: string;
  /** Docs dir, absolute, inside root. */
  dir: string;
  /** The single folder every entry sits in, e.g. `os-vim-driver-1.4.0-docs`. */
  topFolder: string;
  outFile: string;
  /** Seconds since the epoch, stamped on every entry. */
  mtime: number;
  /** Globs relative to `dir` (`*`, `?`, `**`); a matching directory is skipped whole. */
  exclude?: string[];
  level?: number;
}

export interface DocsArchiveResult {
  path: string;
  sha256: string;
  size: number;
  entries: number;
}

/**
 * `rel` is relative to the docs dir with `/` separators (`''` is the docs dir itself); a symlink's
 * target is normalised and relative.
 */
export type DocsEntry = PathEntry;

type ScanInput = Omit<DocsArchiveInput, 'outFile' | 'mtime' | 'level'>;

/**
 * Glob to RegExp for paths relative to the docs dir: `*` and `?` stay within one segment, `**`
 * spans segments, a trailing `/**` also matches the directory itself (no empty folder left behind).
 * Patterns are anchored at the docs dir: `*.map` is top level only, `**` + `/*.map` is any depth.
 */
export function globToRegExp(glob: string): RegExp {
  let g = glob.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  let tail = '';
  if (g.endsWith('/**')) {
    g = g.slice(0, -3);
    tail = '(?:/.*)?';
  }
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*' && g[i + 1] === '*') {
      const wholeSegment = (i === 0 || g[i - 1] === '/') && (i + 2 === g.length || g[i + 2] === '/');
      i += 1;
      if (wholeSegment && g[i + 1] === '/') {
        re += '(?:[^/]*/)*';
        i += 1;
      } else re += wholeSegment ? '.*' : '[^/]*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}${tail}$`);
}

const inside = (parent: string, child: string): boolean =>
  child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

const toPosix = (p: string): string => p.split(path.sep).join('/');

function specialKind(st: Stats | Dirent): string {
  if (st.isFIFO()) return 'named pipe (FIFO)';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice()) return 'block device';
  if (st.isCharacterDevice()) return 'character device';
  return 'special file';
}

/** Walks the docs dir and checks it, writing nothing: safe for verifyConditions and dry runs. */
export async function scanDocs(input: ScanInput): Promise<{ entries: PathList; errors: Error[] }> {
  const errors: Error[] = [];
  const entries = new PathList();
  const shown = toPosix(path.relative(input.root, input.dir)) || '.';
  const top = input.topFolder;
  if (!top || top === '.' || top === '..' || /[/\\\0]/.test(top)) {
    errors.push(
      stackError('EINVALIDOPTION', { option: 'docs.name', problem: `\`${top}\` is not a folder name` }),
    );
  }
  let dirStat: Stats;
  try {
    dirStat = await stat(input.dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === 'ENOENT' || code === 'ENOTDIR';
    errors.push(missing ? stackError('EDOCSMISSING', { path: shown }) : unreadable(shown, error));
    return { entries, errors };
  }
  if (!dirStat.isDirectory()) {
    errors.push(stackError('EDOCSNOTDIR', { path: shown }));
    return { entries, errors };
  }
  const realDir = await realpath(input.dir);
  if (!inside(await realpath(input.root), realDir)) {
    errors.push(stackError('EPATHOUTSIDEREPO', { path: shown, option: 'docs.dir', root: input.root }));
    return { entries, errors };
  }

  const matchers = (input.exclude ?? []).map(globToRegExp);
  const excluded = (rel: string): boolean => matchers.some((m) => m.test(rel));
  const linkOut = (rel: string, target: string, reason: string): Error =>
    stackError('EDOCSLINKOUT', { path: `${shown}/${rel}`, target, reason });

  /** A link is kept only if it resolves, lexically and really, to something archived with it. */
  async function checkLink(abs: string, rel: string): Promise<DocsEntry | Error> {
    const target = await readlink(abs);
    if (path.isAbsolute(target)) return linkOut(rel, target, 'is absolute');
    const lexical = path.resolve(path.dirname(abs), target);
    if (!inside(realDir, lexical)) return linkOut(rel, target, 'points outside the docs directory');
    let real: string;
    try {
      real = await realpath(abs);
    } catch {
      return linkOut(rel, target, 'is dangling (its target does not exist)');
    }
    if (!inside(realDir, real))
      return linkOut(rel, target, 'leads outside the docs directory through another link');
    const segments = toPosix(path.relative(realDir, lexical)).split('/');
    if (segments.some((_, i) => excluded(segments.slice(0, i + 1).join('/')))) {
      return linkOut(rel, target, 'points to an excluded path');
    }
    const normalised = toPosix(path.relative(path.dirname(abs), lexical)) || '.';
    return { rel, kind: 'symlink', target: normalised };
  }

  let files = 0;
  async function walk(relDir: string): Promise<void> {
    // The entry types come with the directory listing (Node lstat()s only where the file system
    // gives none): no stat per file here; a file's mode is read when it is archived.
    let dirents: Dirent[];
    try {
      dirents = await readdir(path.join(realDir, relDir), { withFileTypes: true });
    } catch (error) {
      errors.push(unreadable(`${shown}/${relDir}`, error));
      return;
    }
    for (const dirent of dirents) {
      const rel = relDir ? `${relDir}/${dirent.name}` : dirent.name;
      if (excluded(rel)) continue;
      if (dirent.isDirectory()) {
        entries.push({ rel, kind: 'directory' });
        await walk(rel);
      } else if (dirent.isFile()) {
        files += 1;
        entries.push({ rel, kind: 'file' });
      } else if (dirent.isSymbolicLink()) {
        const link = await checkLink(path.join(realDir, rel), rel);
        if (link instanceof Error) errors.push(link);
        else entries.push(link);
      } else {
        errors.push(stackError('EDOCSSPECIALFILE', { path: `${shown}/${rel}`, kind: specialKind(dirent) }));
      }
    }
  }
  entries.push({ rel: '', kind: 'directory' });
  await walk('');
  if (files === 0) errors.push(stackError('EDOCSEMPTY', { path: shown, excluded: matchers.length > 0 }));
  // Byte order of the UTF-8 path, not JS's UTF-16 order: the archive must not depend on the runtime.
  entries.sortByBytes();
  return { entries, errors };
}

function unreadable(where: string, error: unknown): Error {
  return stackError('EDOCSUNREADABLE', { path: where, reason: (error as Error).message });
}

/** Writes to a file handle, hashing and counting the bytes on the way; fsyncs and closes at the end. */
class HashingFileSink extends Writable {
  readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly fh: FileHandle) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    void (async () => {
      for (let off = 0; off < chunk.length;) off += (await this.fh.write(chunk, off)).bytesWritten;
    })().then(() => done(), done);
  }
  override _final(done: (error?: Error | null) => void): void {
    this.fh
      .sync()
      .then(() => this.fh.close())
      .then(() => done(), done);
  }
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.fh.close().then(
      () => done(error),
      () => done(error),
    );
  }
}

const read = promisify(readCallback);
const close = promisify(closeCallback);

/** Files too big for a read-ahead slot are read in pieces of this size into one reused buffer. */
const READ_BYTES = 256 * 1024;

/**
 * The bytes of an open file, from offset 0, as views of `buf` (each valid until the next is pulled).
 * It asks for one byte more than `size` so that a file that grew since its stat is noticed (the tar
 * writer then refuses it), and stops at `size` without a further read when the last read came short.
 */
async function* readFileInto(fd: number, size: number, buf: Buffer): AsyncGenerator<Buffer> {
  let pos = 0;
  for (;;) {
    const want = Math.min(buf.length, size + 1 - pos);
    const { bytesRead } = await read(fd, buf, 0, want, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
    if (pos > size || (pos === size && bytesRead < want)) return;
  }
}

/** Builds the archive into a temp file next to `outFile` and renames it into place when complete. */
export async function buildDocsArchive(input: DocsArchiveInput): Promise<DocsArchiveResult> {
  const { entries, errors } = await scanDocs(input);
  throwAll(errors);
  const realDir = await realpath(input.dir);
  const outDir = path.dirname(input.outFile);
  await mkdir(outDir, { recursive: true });
  const tmp = path.join(outDir, `.${path.basename(input.outFile)}.${randomBytes(6).toString('hex')}.tmp`);
  const sink = new HashingFileSink(await open(tmp, 'wx', 0o644));
  // One read buffer for the files too big for a read-ahead slot: the tar writer copies each piece
  // before pulling the next.
  const readBuf = Buffer.allocUnsafe(READ_BYTES);
  const files = readAhead(realDir, entries.files());
  try {
    // Parallel blocks: compression is most of the work, and one zlib stream uses one core.
    const tar = createTarGz(sink, { level: input.level ?? 6, parallel: {} });
    for (const e of entries) {
      const archivePath = e.rel ? `${input.topFolder}/${e.rel}` : input.topFolder;
      const base = { path: archivePath, mtime: input.mtime };
      if (e.kind === 'directory') await tar.addDirectory({ ...base, mode: 0o755 });
      else if (e.kind === 'symlink') await tar.addSymlink({ ...base, target: e.target! });
      else {
        const file = await files.next();
        const { fd, size } = file;
        try {
          await tar.addFile({
            ...base,
            mode: (file.mode & 0o111) !== 0 ? 0o755 : 0o644,
            size,
            source: file.bytes ?? (() => readFileInto(fd!, size, readBuf)),
          });
        } finally {
          if (fd !== undefined) await close(fd).catch(() => undefined);
        }
      }
    }
    await tar.finish();
    await rename(tmp, input.outFile);
  } catch (error) {
    await files.close();
    sink.destroy();
    await rm(tmp, { force: true });
    if (isStackError(error)) throw error;
    throw stackError('EDOCSARCHIVE', { path: input.outFile, reason: (error as Error).message });
  }
  return { path: input.outFile, sha256: sink.hash.digest('hex'), size: sink.size, entries: entries.length };
}
