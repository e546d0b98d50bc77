import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { cdxDocument, componentOf, requirementComponent, type CdxDocument } from './cyclonedx.js';
import { pythonPackage } from './packages.js';

/**
 * The SBOM of a wheel: the distribution itself (name, version, `pkg:pypi` purl, license, summary,
 * the wheel's sha256) and what it declares it needs (`Requires-Dist`), read from the wheel's own
 * `<name>-<version>.dist-info/METADATA`.
 */
export async function wheelSbom(
  wheelFile: string,
  sha256: string,
  tool: { name: string; version: string },
  epochSeconds: number,
): Promise<{ document: CdxDocument; name: string; version: string } | undefined> {
  const files = unzipSync(await readFile(wheelFile), {
    filter: (f) => /^[^/]+\.dist-info\/METADATA$/.test(f.name),
  });
  const metadata = Object.values(files)[0];
  const record = metadata ? pythonPackage(Buffer.from(metadata).toString('utf8')) : undefined;
  if (!record) return undefined;
  const requirements = (record.requires ?? []).flatMap((r) => requirementComponent(r) ?? []);
  const subject = {
    ...componentOf(record),
    hashes: [{ alg: 'SHA-256' as const, content: sha256 }],
    properties: [{ name: 'python:wheel', value: path.basename(wheelFile) }],
  };
  return {
    document: cdxDocument({
      subject,
      components: requirements,
      dependsOn: requirements.map((c) => c['bom-ref']),
      epochSeconds,
      tool,
    }),
    name: record.name,
    version: record.version,
  };
}
