import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MAX_CHART, MAX_FILE, stripBom, type ChartFile } from './chart-file.js';
import { DecodeError } from './go-yaml.js';

/** Reading a chart `.tgz` the way Helm's LoadArchiveFiles does, with a small tar reader. */

const tarString = (b: Buffer): string => b.toString('utf8', 0, b.includes(0) ? b.indexOf(0) : b.length);

function tarNumber(b: Buffer): number {
  if (b[0]! & 0x80) {
    // GNU base-256, for values too large for octal
    let n = BigInt(b[0]! & 0x7f);
    for (const byte of b.subarray(1)) n = (n << 8n) | BigInt(byte);
    return Number(n);
  }
  const s = tarString(b).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

/** Helm's LoadArchiveFiles: drops the top folder, refuses unsafe paths, skips directories. */
export function readChartArchive(tgz: Buffer): ChartFile[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz);
  } catch (e) {
    throw new DecodeError(`it is not a gzip archive (${(e as Error).message})`);
  }
  const files: ChartFile[] = [];
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let budget = MAX_CHART;
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const type = String.fromCharCode(h[156]!);
    const size = pax.size !== undefined ? Number(pax.size) : tarNumber(h.subarray(124, 136));
    if (off + 512 + size > tar.length) throw new DecodeError('the archive is truncated');
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      for (const rec of body.toString('utf8').matchAll(/\d+ ([^=]+)=([^\n]*)\n/g)) pax[rec[1]!] = rec[2]!;
      continue;
    }
    if (type === 'L') longName = tarString(body);
    if (type === 'L' || type === 'K' || type === 'g') continue;
    const prefix =
      h.subarray(257, 265).toString('latin1') === 'ustar\u000000' ? tarString(h.subarray(345, 500)) : '';
    const raw = pax.path ?? longName ?? (prefix ? `${prefix}/` : '') + tarString(h.subarray(0, 100));
    pax = {};
    longName = undefined;
    if (
      type === '5' ||
      (type === '\0' && raw.endsWith('/')) ||
      (tarNumber(h.subarray(100, 108)) & 0o170000) === 0o040000
    )
      continue;
    const delim = raw.includes('\\') ? '\\' : '/';
    const parts = raw.split(delim);
    let name = parts.slice(1).join('/');
    if (name.startsWith('/')) throw new DecodeError('it contains absolute paths');
    name = path.posix.normalize(name).replace(/(.)\/$/, '$1');
    if (name === '.') throw new DecodeError(`it holds ${JSON.stringify(raw)} outside the chart's folder`);
    if (name.startsWith('..')) throw new DecodeError('it references a parent directory');
    if (/^[a-zA-Z]:\//.test(name)) throw new DecodeError('it contains a drive-letter path');
    if (parts[0] === 'Chart.yaml') throw new DecodeError('its Chart.yaml is not inside a folder');
    if (size > MAX_FILE || size >= budget) throw new DecodeError('it is larger than Helm allows');
    budget -= size;
    files.push({ name, data: stripBom(Buffer.from(body)) });
  }
  if (files.length === 0) throw new DecodeError('it holds no files');
  return files;
}
