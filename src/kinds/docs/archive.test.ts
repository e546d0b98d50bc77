import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDocsArchive, globToRegExp, scanDocs } from './archive.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'docs-archive-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const TOP = 'os-vim-driver-1.4.0-docs';
const MTIME = 1_700_000_000;
const longRel = `${'l'.repeat(70)}/${'m'.repeat(70)}.html`;

/** Runs GNU tar with argv only; warnings on stderr fail the test. */
function tar(cwd: string, ...args: string[]): string {
  const r = spawnSync('tar', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

async function put(file: string, content: string | Buffer, mode = 0o644): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
  await chmod(file, mode);
  return file;
}

/** A repo with a docs tree holding every kind of entry the archive supports. */
async function fixture(name: string): Promise<{ root: string; dir: string }> {
  const root = join(tmp, name);
  const dir = join(root, 'docs');
  await put(join(dir, 'index.html'), '<h1>hi</h1>\n');
  await put(join(dir, 'sub/page.html'), 'page');
  await put(join(dir, 'sub/deep/x.txt'), Buffer.from([0, 1, 2, 255]));
  await put(join(dir, 'build.sh'), '#!/bin/sh\n', 0o700);
  await put(join(dir, 'private.txt'), 'p', 0o600);
  await put(join(dir, '.nojekyll'), '');
  await put(join(dir, 'ünïcødé-文.txt'), 'utf8');
  await put(join(dir, longRel), 'long');
  await put(join(dir, 'a-b.txt'), 'sorts between a and a/');
  await put(join(dir, 'a/z.txt'), 'z');
  await mkdir(join(dir, 'empty'));
  await symlink('sub/page.html', join(dir, 'latest.html'));
  await symlink('sub', join(dir, 'alias'));
  await symlink('../index.html', join(dir, 'sub/up.html'));
  return { root, dir };
}

/** Every path under `dir` with its type, content hash, exec bit or link target. */
async function describeTree(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const st = await lstat(join(dir, r));
    if (st.isDirectory()) out.push(`d ${r}`, ...(await describeTree(dir, r)));
    else if (st.isSymbolicLink()) out.push(`l ${r} -> ${await readlink(join(dir, r))}`);
    else {
      const sha = createHash('sha256')
        .update(await readFile(join(dir, r)))
        .digest('hex');
      out.push(`f ${r} ${sha} ${(st.mode & 0o111) !== 0 ? 'x' : '-'}`);
    }
  }
  return out;
}

/** `tar -tvzf` lines reduced to type, name and link target (owners, modes and times differ). */
const shape = (listing: string): string[] =>
  listing
    .trim()
    .split('\n')
    .map((l) => /^(.)\S*\s+\S+\s+\d+\s+\S+\s+\S+\s+(.*)$/.exec(l)!)
    .map((m) => `${m[1]} ${m[2]}`)
    .sort();

/** Deterministic text-like bytes (compressible, not trivially): words picked by an LCG. */
function prose(length: number, seed: number): Buffer {
  const words = ['release', 'docs', 'archive', 'wheel', 'chart', 'the', 'of', 'version', '\n', '<p>'];
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length;) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const w = `${words[x % words.length]!}${x & 0x100 ? String(x % 997) : ''} `;
    i += out.write(w, i, 'latin1');
  }
  return out;
}

/**
 * The fixture plus enough data to cross every internal buffer boundary of the writer: hundreds of
 * small files (headers and padding straddling the coalescing buffer), sizes at and around 512 and
 * 1 MiB (the whole-file read), and multi-MiB files (read in pieces).
 */
async function goldenFixture(name: string): Promise<{ root: string; dir: string }> {
  const { root, dir } = await fixture(name);
  for (let i = 0; i < 400; i++) {
    await put(join(dir, `bulk/p-${String(i).padStart(3, '0')}.html`), prose((i * 7919) % 3001, i + 1));
  }
  for (const size of [511, 512, 513, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 2_500_000]) {
    await put(join(dir, `sizes/s-${size}.txt`), prose(size, size));
  }
  let x = 7;
  const noise = Buffer.alloc(700_000);
  for (let i = 0; i < noise.length; i++) noise[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  await put(join(dir, 'sizes/noise.bin'), noise);
  return { root, dir };
}

/**
 * The tar stream was recorded with the writer before its buffering was reworked (one deflate write
 * per block, 16 KiB queue, streamed reads) and has not changed since. The gzip bytes changed once,
 * on purpose, when the docs archive moved to parallel compression (128 KiB blocks deflated on the
 * thread pool, each primed with the 32 KiB before it and ended with a sync flush): a different but
 * still fixed encoding, the same whatever the threads, the blocks in flight or the run. They depend
 * on the zlib build, so they are pinned to the one Node 20 ships.
 */
const GOLDEN = {
  tarSha256: 'da4cfe5b510de5f118ca75eb32b8feb4a3e3a1d48f5c58d4c10a097fbcd42e74',
  zlib: '1.3.1-e00f703',
  tgzSha256: '70b4158dcd7256f2208c639fe8118d51bfdb86ff334d21a7b7a193ff9679059e',
};

/** Python's tarfile lists the archive and hashes every regular file (a second, independent reader). */
function pythonListing(file: string): string[] {
  const script = [
    'import hashlib, sys, tarfile',
    'with tarfile.open(sys.argv[1], "r:gz") as t:',
    '    for m in t:',
    '        h = hashlib.sha256(t.extractfile(m).read()).hexdigest() if m.isfile() else m.linkname',
    '        print(m.type.decode(), m.name, h)',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n');
}

const codes = (errors: Error[]): string[] => errors.map((e) => (e as Error & { code: string }).code);

describe('buildDocsArchive', () => {
  it('unpacks to the source tree, byte for byte, under one top folder', async () => {
    const { root, dir } = await fixture('roundtrip');
    const outFile = join(root, 'release-artifacts', `${TOP}.tgz`);
    const result = await buildDocsArchive({ root, dir, topFolder: TOP, outFile, mtime: MTIME });
    const bytes = await readFile(outFile);
    expect(result).toEqual({
      path: outFile,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      entries: 19,
    });
    expect(await readdir(join(root, 'release-artifacts'))).toEqual([`${TOP}.tgz`]); // no temp file left
    const dest = join(root, 'unpacked');
    await mkdir(dest);
    tar(root, '-xzf', outFile, '-C', dest);
    expect(await readdir(dest)).toEqual([TOP]);
    expect(await describeTree(join(dest, TOP))).toEqual(await describeTree(dir));
  });

  it('streams big files: memory grows far less than a 256 MiB file', async () => {
    const root = join(tmp, 'big');
    const dir = join(root, 'docs');
    await mkdir(dir, { recursive: true });
    const size = 256 << 20;
    await truncate(await put(join(dir, 'big.bin'), ''), size); // sparse: cheap to make and to read
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = used();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, used())), 5);
    const outFile = join(root, 'big.tgz');
    await buildDocsArchive({ root, dir, topFolder: TOP, outFile, mtime: MTIME, level: 1 });
    clearInterval(timer);
    // Generous bound: uncollected 64 KiB read chunks count too, but a whole-file read would not fit.
    expect(peak - before).toBeLessThan(size / 4);
    execFileSync('gzip', ['-t', outFile]);
    expect(tar(root, '-tvzf', outFile)).toMatch(new RegExp(`\\s${size}\\s.*${TOP}/big\\.bin`));
  });

  it('lists the same entries as the seed command, with fixed owners, modes and times, in byte order', async () => {
    const { root, dir } = await fixture('listing');
    const outFile = join(root, 'ours.tgz');
    await buildDocsArchive({ root, dir, topFolder: TOP, outFile, mtime: MTIME });
    tar(root, '-czf', 'seed.tgz', 'docs/', '--transform', `s/docs/${TOP}/`);
    const ours = tar(root, '--numeric-owner', '--full-time', '-tvzf', outFile);
    expect(shape(ours)).toEqual(shape(tar(root, '-tvzf', 'seed.tgz')));
    const lines = ours.trim().replace(/ +/g, ' ').split('\n');
    for (const line of lines) {
      expect(line).toMatch(/^(-rw-r--r--|-rwxr-xr-x|drwxr-xr-x|lrwxrwxrwx) 0\/0 \d+ 2023-11-14 22:13:20 /);
    }
    expect(lines.filter((l) => l.includes('build.sh'))[0]).toMatch(/^-rwxr-xr-x/);
    expect(lines.filter((l) => l.includes('private.txt'))[0]).toMatch(/^-rw-r--r--/);
    const names = tar(root, '-tzf', outFile).trim().split('\n');
    expect(names[0]).toBe(`${TOP}/`);
    expect(names.indexOf(`${TOP}/a-b.txt`)).toBeLessThan(names.indexOf(`${TOP}/a/z.txt`));
    expect(names).toContain(`${TOP}/latest.html`);
  });

  it('gives identical bytes for the same docs whatever their mtimes and modes', async () => {
    const { root, dir } = await fixture('repro');
    const first = await buildDocsArchive({
      root,
      dir,
      topFolder: TOP,
      outFile: join(root, '1.tgz'),
      mtime: MTIME,
    });
    for (const rel of ['index.html', 'sub', 'sub/deep/x.txt', 'empty']) {
      await utimes(join(dir, rel), 1_000_000, 1_234_567);
    }
    await chmod(join(dir, 'private.txt'), 0o640);
    await chmod(join(dir, 'build.sh'), 0o755);
    const second = await buildDocsArchive({
      root,
      dir,
      topFolder: TOP,
      outFile: join(root, '2.tgz'),
      mtime: MTIME,
    });
    expect(second.sha256).toBe(first.sha256);
    expect((await readFile(join(root, '1.tgz'))).equals(await readFile(join(root, '2.tgz')))).toBe(true);
    const bytes = await readFile(join(root, '1.tgz'));
    expect(bytes.readUInt32LE(4)).toBe(0); // gzip MTIME
    execFileSync('gzip', ['-t', join(root, '1.tgz')]);
  });

  it('writes exactly the bytes recorded before the write path was reworked (golden sha256)', async () => {
    const { root, dir } = await goldenFixture('golden');
    const outFile = join(root, 'golden.tgz');
    const result = await buildDocsArchive({ root, dir, topFolder: TOP, outFile, mtime: MTIME });
    const bytes = await readFile(outFile);
    expect(result.entries).toBe(429);
    expect(createHash('sha256').update(gunzipSync(bytes)).digest('hex')).toBe(GOLDEN.tarSha256);
    if (process.versions.zlib === GOLDEN.zlib) expect(result.sha256).toBe(GOLDEN.tgzSha256);
    // Other readers take the parallel-block stream as one ordinary gzip member.
    execFileSync('gzip', ['-t', outFile]);
    expect(tar(root, '-tzf', outFile).trim().split('\n')).toHaveLength(429);
    const listing = pythonListing(outFile);
    expect(listing).toHaveLength(429);
    const noise = createHash('sha256')
      .update(await readFile(join(dir, 'sizes/noise.bin')))
      .digest('hex');
    expect(listing).toContain(`0 ${TOP}/sizes/noise.bin ${noise}`);
    expect(listing).toContain(`2 ${TOP}/latest.html sub/page.html`);
  });

  it('honours the compression level, reproducibly', async () => {
    const { root, dir } = await goldenFixture('levels');
    const sizes: number[] = [];
    for (const level of [1, 9, 1]) {
      const outFile = join(root, `l${level}-${sizes.length}.tgz`);
      const result = await buildDocsArchive({ root, dir, topFolder: TOP, outFile, mtime: MTIME, level });
      const bytes = await readFile(outFile);
      expect(createHash('sha256').update(gunzipSync(bytes)).digest('hex')).toBe(GOLDEN.tarSha256);
      expect(bytes[8]).toBe(level === 9 ? 2 : 4); // gzip XFL: slowest / fastest
      sizes.push(result.size);
    }
    expect(sizes[0]).toBeGreaterThan(sizes[1]!);
    expect(sizes[2]).toBe(sizes[0]);
  });

  it('keeps links inside the docs as relative links', async () => {
    const { root, dir } = await fixture('links');
    const { entries, errors } = await scanDocs({ root, dir, topFolder: TOP });
    expect(errors).toEqual([]);
    const links = [...entries].filter((e) => e.kind === 'symlink').map((e) => `${e.rel} -> ${e.target}`);
    expect(links).toEqual(['alias -> sub', 'latest.html -> sub/page.html', 'sub/up.html -> ../index.html']);
  });

  it('refuses links that leave the docs, are absolute, dangle or go through an outside link', async () => {
    const root = join(tmp, 'badlinks');
    const dir = join(root, 'docs');
    await put(join(dir, 'ok.txt'), 'ok');
    await put(join(root, 'secret.txt'), 's');
    await mkdir(join(root, 'elsewhere'));
    await symlink('../secret.txt', join(dir, 'out'));
    await symlink(join(dir, 'ok.txt'), join(dir, 'abs'));
    await symlink('nope.txt', join(dir, 'dangling'));
    await symlink('../elsewhere', join(dir, 'portal'));
    await symlink('portal', join(dir, 'via'));
    const { errors } = await scanDocs({ root, dir, topFolder: TOP });
    expect(codes(errors)).toEqual(Array(5).fill('EDOCSLINKOUT'));
    const text = errors.map((e) => e.message).join('\n');
    for (const what of ['docs/out', 'docs/abs', 'docs/dangling', 'docs/portal', 'docs/via'])
      expect(text).toContain(what);
    expect(text).toMatch(/absolute/);
    expect(text).toMatch(/dangling/);
    const outFile = join(root, 'x.tgz');
    await expect(buildDocsArchive({ root, dir, topFolder: TOP, outFile, mtime: MTIME })).rejects.toThrow(
      AggregateError,
    );
    await expect(lstat(outFile)).rejects.toThrow(/ENOENT/);
  });

  it('reports special files together with other problems', async () => {
    const root = join(tmp, 'special');
    const dir = join(root, 'docs');
    await put(join(dir, 'ok.txt'), 'ok');
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    await symlink('/etc/passwd', join(dir, 'pw'));
    const { errors } = await scanDocs({ root, dir, topFolder: TOP });
    expect(codes(errors)).toEqual(['EDOCSSPECIALFILE', 'EDOCSLINKOUT']);
    expect(errors[0]!.message).toMatch(/docs\/pipe.*named pipe/);
  });

  it('reports a missing, non-directory or empty docs dir, and a docs dir outside the repo', async () => {
    const root = join(tmp, 'shapes');
    await put(join(root, 'file'), 'x');
    await mkdir(join(root, 'hollow/sub'), { recursive: true });
    await mkdir(join(tmp, 'outside-docs'));
    await put(join(tmp, 'outside-docs/a.txt'), 'a');
    await symlink('../outside-docs', join(root, 'linked'));
    const scan = async (d: string) =>
      codes((await scanDocs({ root, dir: join(root, d), topFolder: TOP })).errors);
    expect(await scan('missing')).toEqual(['EDOCSMISSING']);
    expect(await scan('file')).toEqual(['EDOCSNOTDIR']);
    expect(await scan('hollow')).toEqual(['EDOCSEMPTY']);
    expect(await scan('linked')).toEqual(['EPATHOUTSIDEREPO']);
    expect(codes((await scanDocs({ root, dir: join(root, 'file'), topFolder: 'a/b' })).errors)).toEqual([
      'EINVALIDOPTION',
      'EDOCSNOTDIR',
    ]);
  });

  it('leaves out excluded paths, and calls the docs empty when excludes leave no file', async () => {
    const root = join(tmp, 'exclude');
    const dir = join(root, 'docs');
    await put(join(dir, 'keep.html'), 'k');
    await put(join(dir, 'a.map'), 'm');
    await put(join(dir, 'sub/b.map'), 'm');
    await put(join(dir, 'sub/keep.txt'), 'k');
    await put(join(dir, 'drafts/x.html'), 'd');
    await symlink('drafts/x.html', join(dir, 'draft-link'));
    const exclude = ['**/*.map', 'drafts/**'];
    const { entries, errors } = await scanDocs({ root, dir, topFolder: TOP, exclude });
    expect(codes(errors)).toEqual(['EDOCSLINKOUT']); // the link would dangle in the archive
    expect(errors[0]!.message).toMatch(/excluded/);
    expect([...entries].map((e) => e.rel)).toEqual(['', 'keep.html', 'sub', 'sub/keep.txt']);
    const all = await scanDocs({ root, dir, topFolder: TOP, exclude: ['**'] });
    expect(codes(all.errors)).toEqual(['EDOCSEMPTY']);
    expect(all.errors[0]!.message).toMatch(/after the exclude patterns/);
  });
});

describe('globToRegExp', () => {
  const cases: [string, string, boolean][] = [
    ['*.map', 'a.map', true],
    ['*.map', 'sub/a.map', false],
    ['**/*.map', 'a.map', true],
    ['**/*.map', 'x/y/a.map', true],
    ['sub/*', 'sub/a', true],
    ['sub/*', 'sub/a/b', false],
    ['drafts/**', 'drafts', true],
    ['drafts/**', 'drafts/a/b', true],
    ['drafts/**', 'drafts-old', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/xb', false],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['./build/', 'build', true],
    ['a+b(1).txt', 'a+b(1).txt', true],
    ['a**z', 'abcz', true],
    ['a**z', 'a/z', false],
  ];
  it.each(cases)('%s on %s is %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});
