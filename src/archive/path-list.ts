/**
 * The entries of an archive, kept compact: their paths as UTF-8 in one growing buffer, offsets
 * and kinds in typed arrays. A docs tree of 100k files held as objects and strings took ~16 MB of
 * V8 heap (~160 bytes an entry), and V8 sizes its next full collection by the live heap, so the
 * whole run's memory grew with the file count; here it is ~40 bytes an entry, outside the heap.
 */
export type EntryKind = 'directory' | 'file' | 'symlink';

export interface PathEntry {
  rel: string;
  kind: EntryKind;
  /** Symlinks only. */
  target?: string;
}

const KINDS: readonly EntryKind[] = ['directory', 'file', 'symlink'];

function grown<T extends Uint8Array | Uint32Array>(array: T, needed: number): T {
  // Buffer is a Uint8Array too, but its constructor is not the way to make one: the paths' buffer
  // grows in push().
  if (needed <= array.length) return array;
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}

export class PathList implements Iterable<PathEntry> {
  private bytes = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  private starts = new Uint32Array(1024);
  private ends = new Uint32Array(1024);
  private kinds = new Uint8Array(1024);
  /** Position → entry index; the insertion order until `sortByBytes()`. */
  private order: Uint32Array | undefined;
  /** Symlinks are rare in docs: their targets by entry index. */
  private readonly targets = new Map<number, string>();
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(entry: PathEntry): void {
    const length = Buffer.byteLength(entry.rel, 'utf8');
    const i = this.count;
    if (this.used + length > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.used + length, this.bytes.length * 2));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    this.starts = grown(this.starts, i + 1);
    this.ends = grown(this.ends, i + 1);
    this.kinds = grown(this.kinds, i + 1);
    this.starts[i] = this.used;
    this.used += this.bytes.write(entry.rel, this.used, 'utf8');
    this.ends[i] = this.used;
    this.kinds[i] = KINDS.indexOf(entry.kind);
    if (entry.target !== undefined) this.targets.set(i, entry.target);
    this.count += 1;
    this.order = undefined;
  }

  /** Byte order of the UTF-8 paths, so the order does not depend on the runtime's string order. */
  sortByBytes(): void {
    const { bytes, starts, ends } = this;
    const order = new Uint32Array(this.count).map((_, i) => i);
    order.sort((a, b) => {
      const sa = starts[a]!;
      const sb = starts[b]!;
      const n = Math.min(ends[a]! - sa, ends[b]! - sb);
      for (let k = 0; k < n; k++) {
        const d = bytes[sa + k]! - bytes[sb + k]!;
        if (d !== 0) return d;
      }
      return ends[a]! - sa - (ends[b]! - sb);
    });
    this.order = order;
  }

  /** The entry at `position` (in sorted order once sorted), decoded afresh each time. */
  at(position: number): PathEntry {
    const i = this.order ? this.order[position]! : position;
    const rel = this.bytes.toString('utf8', this.starts[i], this.ends[i]);
    const kind = KINDS[this.kinds[i]!]!;
    const target = this.targets.get(i);
    return target === undefined ? { rel, kind } : { rel, kind, target };
  }

  *[Symbol.iterator](): Generator<PathEntry> {
    for (let p = 0; p < this.count; p++) yield this.at(p);
  }

  /** The relative paths of the files, in order. */
  *files(): Generator<string> {
    for (let p = 0; p < this.count; p++) {
      const i = this.order ? this.order[p]! : p;
      if (KINDS[this.kinds[i]!] === 'file') yield this.at(p).rel;
    }
  }
}
