import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PYTHON } from '../../test/helpers/tools.js';
import {
  fileSource,
  streamSource,
  tarEntries,
  tarEntriesSync,
  TarFormatError,
  type TarEntry,
} from './tar-reader.js';
import { createTarGz } from './tar-writer.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tar-reader-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Seen {
  name: string;
  type: TarEntry['type'];
  linkname?: string;
  body?: string;
}

const seen = (e: TarEntry, body: Buffer): Seen => ({
  name: e.name.replace(/\/$/, ''),
  type: e.type,
  ...(e.type === 'symlink' || e.type === 'hardlink' ? { linkname: e.linkname } : {}),
  ...(e.type === 'file' ? { body: body.toString('utf8') } : {}),
});

/** The same archive through all three drivers: in memory, from a file at offsets, from a stream. */
async function readAllWays(tarFile: string): Promise<Seen[]> {
  const bytes = await readFile(tarFile);
  const sync = [...tarEntriesSync(bytes)].map((e) => seen(e, e.body));
  const handle = await open(tarFile, 'r');
  const fromFile: Seen[] = [];
  try {
    for await (const e of tarEntries(fileSource(handle))) fromFile.push(seen(e, await e.read()));
  } finally {
    await handle.close();
  }
  // A stream in small, odd chunks: headers and bodies straddle them.
  const chunks = (function* () {
    for (let i = 0; i < bytes.length; i += 77) yield bytes.subarray(i, i + 77);
  })();
  const fromStream: Seen[] = [];
  for await (const e of tarEntries(streamSource(Readable.from(chunks))))
    fromStream.push(seen(e, await e.read()));
  expect(fromFile).toEqual(sync);
  expect(fromStream).toEqual(sync);
  return sync;
}

const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/f.txt`; // 127 chars: ustar prefix + name
const veryLong = `${'l'.repeat(150)}/${'m'.repeat(150)}.txt`; // no ustar split: GNU L or PAX
const unicode = 'ünïcødé-文档.txt';
const longTarget = `../${'t'.repeat(120)}`;

async function fixtureTree(withLong: boolean): Promise<string> {
  const root = await mkdtemp(join(tmp, 'tree-'));
  const top = join(root, 'top');
  await mkdir(join(top, 'empty-dir'), { recursive: true });
  await writeFile(join(top, 'a.txt'), 'hello');
  await writeFile(join(top, 'empty'), '');
  await writeFile(join(top, 'block.bin'), 'x'.repeat(512));
  await writeFile(join(top, 'block1.bin'), 'y'.repeat(513));
  await mkdir(join(top, deep, '..'), { recursive: true });
  await writeFile(join(top, deep), 'deep');
  await link(join(top, 'a.txt'), join(top, 'hard'));
  await symlink('a.txt', join(top, 'link'));
  if (withLong) {
    await mkdir(join(top, veryLong, '..'), { recursive: true });
    await writeFile(join(top, veryLong), 'long');
    await writeFile(join(top, unicode), 'utf8');
    await symlink(longTarget, join(top, 'longlink'));
  }
  return root;
}

function expected(withLong: boolean): Seen[] {
  const rows: Seen[] = [
    { name: 'top', type: 'directory' },
    { name: 'top/a.txt', type: 'file', body: 'hello' },
    { name: 'top/block.bin', type: 'file', body: 'x'.repeat(512) },
    { name: 'top/block1.bin', type: 'file', body: 'y'.repeat(513) },
    { name: `top/${'d'.repeat(60)}`, type: 'directory' },
    { name: `top/${'d'.repeat(60)}/${'e'.repeat(60)}`, type: 'directory' },
    { name: `top/${deep}`, type: 'file', body: 'deep' },
    { name: 'top/empty', type: 'file', body: '' },
    { name: 'top/empty-dir', type: 'directory' },
    { name: 'top/hard', type: 'hardlink', linkname: 'top/a.txt' },
    { name: 'top/link', type: 'symlink', linkname: 'a.txt' },
  ];
  if (withLong) {
    rows.push(
      { name: `top/${'l'.repeat(150)}`, type: 'directory' },
      { name: `top/${veryLong}`, type: 'file', body: 'long' },
      { name: 'top/longlink', type: 'symlink', linkname: longTarget },
      { name: `top/${unicode}`, type: 'file', body: 'utf8' },
    );
  }
  return rows;
}

const byName = (a: Seen, b: Seen) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));

describe('tar reader', () => {
  it.each([
    ['gnu', true],
    ['oldgnu', true],
    ['posix', true],
    ['ustar', false],
  ])(
    'reads what GNU tar writes in %s format, the same through all three drivers',
    async (format, withLong) => {
      const root = await fixtureTree(withLong);
      const file = join(root, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '--sort=name', '-cf', file, '-C', root, 'top'], {
        env: { ...process.env, LC_ALL: 'C.UTF-8' },
      });
      const entries = await readAllWays(file);
      expect([...entries].sort(byName)).toEqual(expected(withLong).sort(byName));
    },
  );

  it('reads the package’s own writer back (PAX names, long link targets, prefixes)', async () => {
    const file = join(tmp, 'own.tgz');
    const w = createTarGz(createWriteStream(file));
    await w.addDirectory({ path: 'top', mtime: 1 });
    await w.addFile({ path: `top/${veryLong}`, mtime: 1, size: 4, source: Buffer.from('long') });
    await w.addFile({ path: `top/${unicode}`, mtime: 1, size: 4, source: Buffer.from('utf8') });
    await w.addFile({ path: `top/${deep}`, mtime: 1, size: 4, source: Buffer.from('deep') });
    await w.addSymlink({ path: 'top/longlink', mtime: 1, target: longTarget });
    await w.finish();
    const fromGunzip: Seen[] = [];
    for await (const e of tarEntries(streamSource(createReadStream(file).pipe(createGunzip()))))
      fromGunzip.push(seen(e, await e.read()));
    const tarFile = join(tmp, 'own.tar');
    await writeFile(tarFile, gunzipSync(await readFile(file)));
    expect(await readAllWays(tarFile)).toEqual(fromGunzip);
    expect(fromGunzip).toEqual([
      { name: 'top', type: 'directory' },
      { name: `top/${veryLong}`, type: 'file', body: 'long' },
      { name: `top/${unicode}`, type: 'file', body: 'utf8' },
      { name: `top/${deep}`, type: 'file', body: 'deep' },
      { name: 'top/longlink', type: 'symlink', linkname: longTarget },
    ]);
  });

  it('skips a PAX global header (Python tarfile’s pax_headers) and keeps entry offsets exact', async () => {
    const file = join(tmp, 'global.tar');
    execFileSync(SYSTEM_PYTHON, [
      '-c',
      [
        'import io, sys, tarfile',
        'with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT, pax_headers={"comment": "g"}) as t:',
        '    for name, data in (("a", b"first"), ("b/" + "x" * 200, b"second")):',
        '        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))',
      ].join('\n'),
      file,
    ]);
    const bytes = await readFile(file);
    const entries = [...tarEntriesSync(bytes)];
    expect(entries.map((e) => [e.name, e.body.toString()])).toEqual([
      ['a', 'first'],
      [`b/${'x'.repeat(200)}`, 'second'],
    ]);
    for (const e of entries) expect(bytes.subarray(e.offset, e.offset + e.size).equals(e.body)).toBe(true);
  });

  it('does not read a body it is not asked for from a file (a 1 GB layer costs one header)', async () => {
    const file = join(tmp, 'sparse.tar');
    const handle = await open(file, 'w');
    const size = 2 ** 30;
    await handle.write(header({ name: 'big', size }), 0, 512, 0);
    await handle.write(header({ name: 'after', size: 2 }), 0, 512, 512 + size);
    await handle.write(Buffer.from('ok'), 0, 2, 1024 + size);
    await handle.truncate(1024 + size + 512 + 1024); // sparse: the big body and the end blocks are zeros
    await handle.close();
    const reads: number[] = [];
    const reading = await open(file, 'r');
    const source = fileSource(reading);
    const counted = { ...source, read: (n: number) => (reads.push(n), source.read(n)) };
    const names: Array<[string, number, number]> = [];
    for await (const e of tarEntries(counted)) names.push([e.name, e.offset, e.size]);
    await reading.close();
    expect(names).toEqual([
      ['big', 512, size],
      ['after', 1024 + size, 2],
    ]);
    expect(reads).toEqual([512, 512, 512]);
  });

  it('reads GNU base-256 sizes and treats link and folder headers as bodiless, as Go and Python do', () => {
    const base256 = header({ name: 'f', size: 0 });
    base256.fill(0, 124, 136);
    base256[124] = 0x80;
    base256[135] = 3;
    const linkWithSize = header({ name: 'l', size: 512, type: '2', linkname: 'f' });
    const tar = Buffer.concat([
      sum(base256),
      Buffer.from('abc'.padEnd(512, '\0')),
      linkWithSize,
      header({ name: 'g', size: 1 }),
      Buffer.from('z'.padEnd(512, '\0')),
    ]);
    expect([...tarEntriesSync(tar)].map((e) => [e.name, e.type, e.body.toString()])).toEqual([
      ['f', 'file', 'abc'],
      ['l', 'symlink', ''],
      ['g', 'file', 'z'],
    ]);
  });

  it('refuses a bad checksum, a truncated body, a bad PAX record and a huge extended header', async () => {
    const broken = header({ name: 'f', size: 3 });
    broken[0] = 'g'.charCodeAt(0);
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.concat([broken, Buffer.alloc(512)]), /bad header checksum at byte 0/],
      [Buffer.concat([header({ name: 'f', size: 600 }), Buffer.alloc(512)]), /truncated/],
      [
        Buffer.concat([
          header({ name: 'p', size: 9, type: 'x' }),
          pad('7 path=a\n'),
          header({ name: 'f', size: 0 }),
        ]),
        /malformed PAX/,
      ],
      [Buffer.concat([header({ name: 'p', size: 2 ** 21, type: 'x' })]), /extended header/],
      [Buffer.concat([header({ name: 'f', size: 0 }), Buffer.alloc(100)]), /truncated/],
    ];
    for (const [tar, message] of cases) {
      expect(() => [...tarEntriesSync(tar)]).toThrow(message);
      const drain = async () => {
        for await (const e of tarEntries(streamSource(Readable.from([tar])))) await e.read();
      };
      await expect(drain()).rejects.toThrow(TarFormatError);
    }
  });

  it('reads an archive that stops without end-of-archive blocks', () => {
    const tar = Buffer.concat([header({ name: 'f', size: 1 }), pad('x')]);
    expect([...tarEntriesSync(tar)].map((e) => e.name)).toEqual(['f']);
  });
});

/** One ustar header with a correct checksum. */
function header(h: { name: string; size: number; type?: string; linkname?: string }): Buffer {
  const b = Buffer.alloc(512);
  b.write(h.name, 0);
  b.write('0000644\0', 100);
  b.write(`${h.size.toString(8).padStart(11, '0')}\0`, 124);
  b.write(h.type ?? '0', 156);
  if (h.linkname) b.write(h.linkname, 157);
  b.write('ustar\u000000', 257, 'latin1');
  return sum(b);
}

function sum(b: Buffer): Buffer {
  b.fill(0x20, 148, 156);
  let total = 0;
  for (const byte of b) total += byte;
  b.write(`${total.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

const pad = (text: string): Buffer => {
  const data = Buffer.from(text);
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
};
