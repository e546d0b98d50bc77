/**
 * Package records as the installers leave them: Python distributions' core metadata
 * (`*.dist-info/METADATA`, RFC 822 headers), dpkg's status file and apk's installed database, and
 * the OS release file that names the distribution. Each becomes a package URL (purl spec).
 */
export interface PackageRecord {
  ecosystem: 'pypi' | 'deb' | 'apk';
  name: string;
  version: string;
  purl: string;
  licenses: string[];
  /** A license expression (SPDX), when the metadata gives one. */
  licenseExpression?: string;
  description?: string;
  /** Python `Requires-Dist` entries, as written. */
  requires?: string[];
}

const enc = (v: string) => encodeURIComponent(v).replace(/%2F/gi, '/');

/** PEP 503 normalisation, which is also the purl spec's rule for pypi names. */
export const normalizePypiName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

export const pypiPurl = (name: string, version?: string): string =>
  `pkg:pypi/${normalizePypiName(name)}${version ? `@${enc(version)}` : ''}`;

/** Header fields of core metadata (repeated fields kept in order); the body after the blank line is not. */
export function parseCoreMetadata(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && last) {
      last[last.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const values = fields.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    fields.set(name, values);
    last = values;
  }
  return fields;
}

export function pythonPackage(metadata: string): PackageRecord | undefined {
  const f = parseCoreMetadata(metadata);
  const name = f.get('name')?.[0];
  const version = f.get('version')?.[0];
  if (!name || !version) return undefined;
  const license = f.get('license')?.[0];
  const expression = f.get('license-expression')?.[0];
  const classifiers = (f.get('classifier') ?? [])
    .filter((c) => c.startsWith('License :: '))
    .map((c) => c.split(' :: ').at(-1)!);
  return {
    ecosystem: 'pypi',
    name,
    version,
    purl: pypiPurl(name, version),
    licenses: expression ? [] : [...(license && !license.includes('\n') ? [license] : []), ...classifiers],
    ...(expression ? { licenseExpression: expression } : {}),
    ...(f.get('summary')?.[0] ? { description: f.get('summary')![0] } : {}),
    requires: f.get('requires-dist') ?? [],
  };
}

/** `ID` and `VERSION_ID` of an os-release file. */
export function parseOsRelease(text: string): { id?: string; versionId?: string } {
  const value = (key: string) =>
    new RegExp(`^${key}=(.*)$`, 'm')
      .exec(text)?.[1]
      ?.trim()
      .replace(/^["']|["']$/g, '');
  return { id: value('ID'), versionId: value('VERSION_ID') };
}

/** Blank-line separated stanzas of `Key: value` (dpkg) or `K:value` (apk) lines. */
function stanzas(text: string, separator: RegExp): Array<Map<string, string>> {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        const m = separator.exec(line);
        if (m && !fields.has(m[1]!)) fields.set(m[1]!, m[2]!.trim());
      }
      return fields;
    })
    .filter((s) => s.size > 0);
}

type Distro = { id?: string; versionId?: string };
const distroQualifier = (d: Distro) =>
  d.id ? `&distro=${enc(`${d.id}${d.versionId ? `-${d.versionId}` : ''}`)}` : '';

export function dpkgPackages(status: string, distro: Distro): PackageRecord[] {
  const namespace = distro.id ?? 'debian';
  return stanzas(status, /^([A-Za-z][A-Za-z0-9-]*):\s?(.*)$/)
    .filter(
      (s) => s.get('Package') && s.get('Version') && /\binstalled$/.test(s.get('Status') ?? 'installed'),
    )
    .map((s) => {
      const name = s.get('Package')!;
      const version = s.get('Version')!;
      const arch = s.get('Architecture');
      return {
        ecosystem: 'deb' as const,
        name,
        version,
        purl: `pkg:deb/${namespace}/${enc(name)}@${enc(version)}?arch=${enc(arch ?? 'all')}${distroQualifier(distro)}`,
        licenses: [],
      };
    });
}

export function apkPackages(installed: string, distro: Distro): PackageRecord[] {
  const namespace = distro.id ?? 'alpine';
  return stanzas(installed, /^([A-Za-z]):(.*)$/)
    .filter((s) => s.get('P') && s.get('V'))
    .map((s) => {
      const name = s.get('P')!;
      const version = s.get('V')!;
      const license = s.get('L');
      return {
        ecosystem: 'apk' as const,
        name,
        version,
        purl: `pkg:apk/${namespace}/${enc(name)}@${enc(version)}?arch=${enc(s.get('A') ?? 'noarch')}${distroQualifier(distro)}`,
        licenses: license ? [license] : [],
        ...(s.get('T') ? { description: s.get('T') } : {}),
      };
    });
}
