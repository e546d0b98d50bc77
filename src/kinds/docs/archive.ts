import SemanticReleaseError from '@semantic-release/error';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsync, openSync, writeSync, type Dirent, type Stats } from 'node:fs';
import { lstat, mkdir, readdir, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PathList, type PathEntry } from '../../archive/path-list.js';
import { openRegular, readPieces, readWhole } from '../../archive/read-file.js';
import { createTarGz } from '../../archive/tar-writer.js';
import { isStackError, throwAll } from '../../errors.js';
import { messageInRepo } from '../../files/index.js';
import { stackError } from './errors.js';

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

export interface DocsScan {
  entries: PathList;
  errors: Error[];
  /** False when the walk stopped at `maxEntries`: then neither list is the whole story. */
  complete: boolean;
}

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

/**
 * Walks the docs dir and checks it, writing nothing: safe for verifyConditions and dry runs. With
 * `maxEntries` the walk stops once it has found more entries than that.
 */
export async function scanDocs(input: ScanInput, maxEntries = Infinity): Promise<DocsScan> {
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
    errors.push(missing ? stackError('EDOCSMISSING', { path: shown }) : unreadable(shown, error, input.root));
    return { entries, errors, complete: true };
  }
  if (!dirStat.isDirectory()) {
    errors.push(stackError('EDOCSNOTDIR', { path: shown }));
    return { entries, errors, complete: true };
  }
  const realDir = await realpath(input.dir);
  if (!inside(await realpath(input.root), realDir)) {
    errors.push(stackError('EPATHOUTSIDEREPO', { path: shown, option: 'docs.dir', root: input.root }));
    return { entries, errors, complete: true };
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
      errors.push(unreadable(`${shown}/${relDir}`, error, input.root));
      return;
    }
    for (const dirent of dirents) {
      if (entries.length > maxEntries) return;
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
  if (entries.length > maxEntries) return { entries, errors, complete: false };
  if (files === 0) errors.push(stackError('EDOCSEMPTY', { path: shown, excluded: matchers.length > 0 }));
  // Byte order of the UTF-8 path, not JS's UTF-16 order: the archive must not depend on the runtime.
  entries.sortByBytes();
  return { entries, errors, complete: true };
}

function unreadable(where: string, error: unknown, root: string): Error {
  return stackError('EDOCSUNREADABLE', { path: where, reason: messageInRepo(error, root) });
}

/**
 * Writes to a file descriptor, hashing and counting the bytes on the way; fsyncs and closes at the
 * end. The writes are synchronous: they run on the archive's worker (or for a few milliseconds on
 * the caller's thread), and a descriptor closed in `_destroy` is closed when `destroy()` returns.
 */
class HashingFileSink extends Writable {
  readonly hash = createHash('sha256');
  size = 0;
  constructor(private fd: number | undefined) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    try {
      for (let off = 0; off < chunk.length;) off += writeSync(this.fd!, chunk, off);
      done();
    } catch (error) {
      done(error as Error);
    }
  }
  override _final(done: (error?: Error | null) => void): void {
    fsync(this.fd!, (error) => {
      try {
        if (error) throw error;
        this.close();
        done();
      } catch (failure) {
        done(failure as Error);
      }
    });
  }
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    try {
      this.close();
    } catch {
      // The error that destroyed the sink is the one to report.
    }
    done(error);
  }
  private close(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }
}

/** Small files are read whole into this buffer, bigger ones in pieces of this size. */
const READ_BYTES = 256 * 1024;

export interface WrittenArchive {
  sha256: string;
  size: number;
  entries: number;
}

/**
 * Scans the docs (unless given a complete scan) and writes the archive to `tmp`, which the caller
 * renames or removes. This is what the worker runs; on failure every file it opened is closed.
 */
export async function writeArchive(
  input: DocsArchiveInput,
  tmp: string,
  scan?: DocsScan,
): Promise<WrittenArchive> {
  const { entries, errors } = scan ?? (await scanDocs(input));
  throwAll(errors);
  const realDir = await realpath(input.dir);
  await mkdir(path.dirname(tmp), { recursive: true });
  const sink = new HashingFileSink(openSync(tmp, 'wx', 0o644));
  // One buffer for every file: the tar writer copies each piece before it pulls the next.
  const buf = Buffer.allocUnsafe(READ_BYTES);
  try {
    // Parallel blocks: compression is most of the work, and one zlib stream uses one core.
    const tar = createTarGz(sink, { level: input.level ?? 6, parallel: {} });
    const { mtime } = input;
    for (const e of entries) {
      const at = e.rel ? `${input.topFolder}/${e.rel}` : input.topFolder;
      // Object literals, not `{ ...base, mode }`: Node 20's V8 moved every spread copy into the old
      // generation (bench/notes/code-decisions.md).
      if (e.kind === 'directory') await tar.addDirectory({ path: at, mtime, mode: 0o755 });
      else if (e.kind === 'symlink') await tar.addSymlink({ path: at, mtime, target: e.target! });
      else {
        const file = openRegular(realDir, e.rel);
        try {
          await tar.addFile({
            path: at,
            mtime,
            mode: (file.mode & 0o111) !== 0 ? 0o755 : 0o644,
            size: file.size,
            source: file.size < buf.length ? readWhole(file, buf) : () => readPieces(file, buf),
          });
        } finally {
          closeSync(file.fd);
        }
      }
    }
    await tar.finish();
  } catch (error) {
    sink.destroy();
    throw error;
  }
  return { sha256: sink.hash.digest('hex'), size: sink.size, entries: entries.length };
}

/** An error as it crosses from the worker: stack errors keep code and details, aggregates their parts. */
export interface SentError {
  message: string;
  code?: string;
  details?: string;
  errors?: SentError[];
}

export function sendableError(error: unknown): SentError {
  if (error instanceof AggregateError)
    return { message: error.message, errors: error.errors.map(sendableError) };
  if (isStackError(error)) return { message: error.message, code: error.code, details: error.details };
  return { message: error instanceof Error ? error.message : String(error) };
}

function receivedError(sent: SentError): Error {
  if (sent.errors) return new AggregateError(sent.errors.map(receivedError), sent.message);
  if (sent.code === undefined) return new Error(sent.message);
  const error = new SemanticReleaseError(sent.message, sent.code, sent.details);
  error.stack = `${error.name}: ${sent.message}`; // as stackError() sets it
  return error;
}

export interface WorkerData {
  input: DocsArchiveInput;
  tmp: string;
}

export type WorkerReply = { written: WrittenArchive } | { error: SentError };

const WORKER = new URL('./archive-worker.js', import.meta.url);
/**
 * The worker's young generation, in MB. Left alone, V8 grows it in any long run, and that was the
 * biggest part of the archiver's memory. Hardly anything survives a scavenge here, so a small one
 * costs little CPU (the sizes tried: bench/notes/code-decisions.md).
 */
const WORKER_YOUNG_GENERATION_MB = 2;

/** Runs writeArchive on a worker thread; the worker is gone when the promise settles. */
async function writeInWorker(data: WorkerData): Promise<WrittenArchive> {
  const worker = new Worker(WORKER, {
    workerData: data,
    // No old-generation limit: the entry list of a huge tree must not hit one.
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  try {
    return await new Promise<WrittenArchive>((resolve, reject) => {
      worker.once('message', (reply: WorkerReply) =>
        'error' in reply ? reject(receivedError(reply.error)) : resolve(reply.written),
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the archive worker stopped (exit code ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}

/**
 * Trees up to this size are archived on the caller's thread: below it, starting the worker (an
 * isolate and its modules) costs more than the archive itself, and the caller's loop is held only
 * briefly at a time while its heap hardly grows. The timings behind the limits:
 * bench/notes/code-decisions.md.
 */
const IN_THREAD_MAX_ENTRIES = 200;
const IN_THREAD_MAX_BYTES = 4 * 1024 * 1024;

/** The scan gives no sizes (it stats nothing); a tree small enough by count is stat'ed here. */
async function smallTree(input: DocsArchiveInput, scan: DocsScan): Promise<boolean> {
  if (!scan.complete) return false;
  let bytes = 0;
  for (const rel of scan.entries.files()) bytes += (await lstat(path.join(input.dir, rel))).size;
  return bytes <= IN_THREAD_MAX_BYTES;
}

/** Problems the scan reports are thrown as they are; anything else becomes EDOCSARCHIVE. */
const reported = (error: unknown): boolean =>
  isStackError(error) || (error instanceof AggregateError && error.errors.every(isStackError));

/**
 * Builds the archive into a temp file next to `outFile` and renames it into place when complete.
 * A big tree is archived on a worker thread, so neither the caller's event loop nor its heap
 * carries the work of reading and packing thousands of files.
 */
export async function buildDocsArchive(input: DocsArchiveInput): Promise<DocsArchiveResult> {
  const scan = await scanDocs(input, IN_THREAD_MAX_ENTRIES);
  if (scan.complete) throwAll(scan.errors);
  const outDir = path.dirname(input.outFile);
  const tmp = path.join(outDir, `.${path.basename(input.outFile)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // Under vitest these modules run from src/*.ts, where no compiled worker sits beside them: the
    // same code then runs on this thread (the worker itself is tested through dist/).
    const written =
      !existsSync(fileURLToPath(WORKER)) || (await smallTree(input, scan))
        ? await writeArchive(input, tmp, scan.complete ? scan : undefined)
        : await writeInWorker({ input, tmp });
    await rename(tmp, input.outFile);
    return { path: input.outFile, ...written };
  } catch (error) {
    await rm(tmp, { force: true });
    if (reported(error)) throw error;
    throw stackError('EDOCSARCHIVE', {
      path: toPosix(path.relative(input.root, input.outFile)),
      reason: messageInRepo(error, input.root),
    });
  }
}
