/**
 * Deterministic generated documentation trees for the archive benchmark: folders of ~50 files,
 * 85 % of the files text (Markdown/HTML-like prose, compresses ~3×), 15 % binary (images-like,
 * incompressible), sizes spread around the mean. Cached under $TMPDIR/srs-bench-trees/ (a complete
 * tree has a `.complete` marker) so re-runs don't regenerate them.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TreeSpec {
  name: string;
  bytes: number;
  files: number;
}

/** xorshift32: same tree on every machine. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

const WORDS = (
  'the release plugin version wheel docker image chart helm archive docs build publish registry ' +
  'semantic commit tag branch python service driver openstack configuration install guide example ' +
  'option value default error code fix step prepare verify success manifest digest checksum layer'
).split(' ');

function textPool(size: number, random: () => number): Buffer {
  const parts: string[] = [];
  let length = 0;
  while (length < size) {
    const n = 5 + Math.floor(random() * 14);
    const words: string[] = [];
    for (let i = 0; i < n; i++) {
      const w = WORDS[Math.floor(random() * WORDS.length)]!;
      words.push(random() < 0.08 ? `${w}${Math.floor(random() * 1000)}` : w);
    }
    const line = random() < 0.1 ? `\n## ${words.slice(0, 4).join(' ')}\n\n` : `<p>${words.join(' ')}.</p>\n`;
    parts.push(line);
    length += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

export function treeRoot(): string {
  return join(tmpdir(), 'srs-bench-trees');
}

/** Generates (or reuses) the tree; returns `<root>/<name>`, whose `docs/` folder is the tree. */
export function ensureTree(spec: TreeSpec): string {
  const root = join(treeRoot(), `${spec.name}-v1`);
  if (existsSync(join(root, '.complete'))) return root;
  rmSync(root, { recursive: true, force: true });
  const random = rng(0x5eed ^ spec.files);
  const text = textPool(4 * 2 ** 20, random);
  const binary = Buffer.alloc(4 * 2 ** 20);
  for (let i = 0; i < binary.length; i += 4) binary.writeUInt32LE(Math.floor(random() * 2 ** 32), i);
  const mean = spec.bytes / spec.files;
  let written = 0;
  for (let i = 0; i < spec.files; i++) {
    const dir = join(root, 'docs', `section-${Math.floor(i / 2500)}`, `part-${Math.floor(i / 50) % 50}`);
    if (i % 50 === 0) mkdirSync(dir, { recursive: true });
    const remainingFiles = spec.files - i;
    const target = (spec.bytes - written) / remainingFiles;
    // 0.1× to ~3× the mean, averaging to the remaining budget.
    const size = Math.max(
      64,
      Math.min(Math.round(target * (0.1 + 1.8 * random())), 3 * mean, text.length - 1),
    );
    const binaryFile = random() < 0.15;
    const pool = binaryFile ? binary : text;
    const offset = Math.floor(random() * (pool.length - size));
    writeFileSync(
      join(dir, `page-${i}.${binaryFile ? 'png' : 'html'}`),
      pool.subarray(offset, offset + size),
    );
    written += size;
  }
  writeFileSync(join(root, '.complete'), `${spec.files} files, ${written} bytes\n`);
  return root;
}
