import { createHash } from 'node:crypto';
import type { PackageRecord } from './packages.js';
import { pypiPurl } from './packages.js';

/**
 * CycloneDX 1.6 JSON documents, made in-process (syft is not in Debian 12). Nothing in a document
 * depends on when it was made: the timestamp is the release's (SOURCE_DATE_EPOCH or the commit
 * time) and the serial number is derived from the content, so a re-run writes the same bytes.
 */
export interface CdxComponent {
  type: 'library' | 'application' | 'container' | 'operating-system';
  'bom-ref': string;
  name: string;
  version?: string;
  purl?: string;
  description?: string;
  licenses?: Array<{ license: { id?: string; name?: string } } | { expression: string }>;
  hashes?: Array<{ alg: 'SHA-256'; content: string }>;
  properties?: Array<{ name: string; value: string }>;
}

export interface CdxDocument {
  bomFormat: 'CycloneDX';
  specVersion: '1.6';
  serialNumber: string;
  version: 1;
  metadata: Record<string, unknown>;
  components: CdxComponent[];
  dependencies: Array<{ ref: string; dependsOn: string[] }>;
}

export function licensesOf(p: PackageRecord): CdxComponent['licenses'] {
  if (p.licenseExpression) return [{ expression: p.licenseExpression }];
  const list = [...new Set(p.licenses.filter(Boolean))];
  if (!list.length) return undefined;
  // Free text from package metadata: a name, not an SPDX id (only the SPDX list could tell).
  return list.map((l) => ({ license: { name: l.slice(0, 200) } }));
}

export function componentOf(p: PackageRecord): CdxComponent {
  const licenses = licensesOf(p);
  return {
    type: 'library',
    'bom-ref': p.purl,
    name: p.name,
    version: p.version,
    purl: p.purl,
    ...(p.description ? { description: p.description } : {}),
    ...(licenses ? { licenses } : {}),
  };
}

/** A `Requires-Dist` entry → the dependency's name (its version range and markers are kept as a property). */
export function requirementComponent(requirement: string): CdxComponent | undefined {
  const name = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement)?.[1];
  if (!name) return undefined;
  return {
    type: 'library',
    'bom-ref': pypiPurl(name),
    name,
    purl: pypiPurl(name),
    properties: [{ name: 'python:requires-dist', value: requirement }],
  };
}

/** urn:uuid from the content (a version 5-style UUID over its sha256), stable for the same inputs. */
function serialNumber(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function cdxDocument(input: {
  subject: CdxComponent;
  components: CdxComponent[];
  dependsOn: string[];
  epochSeconds: number;
  tool: { name: string; version: string };
}): CdxDocument {
  const byRef = new Map<string, CdxComponent>();
  for (const c of input.components) if (!byRef.has(c['bom-ref'])) byRef.set(c['bom-ref'], c);
  const components = [...byRef.values()].sort((a, b) => (a['bom-ref'] < b['bom-ref'] ? -1 : 1));
  const body = {
    metadata: {
      timestamp: new Date(input.epochSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z'),
      tools: { components: [{ type: 'application', name: input.tool.name, version: input.tool.version }] },
      component: input.subject,
    },
    components,
    dependencies: [
      { ref: input.subject['bom-ref'], dependsOn: [...new Set(input.dependsOn)].sort() },
      ...components.map((c) => ({ ref: c['bom-ref'], dependsOn: [] as string[] })),
    ],
  };
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialNumber(JSON.stringify(body)),
    version: 1,
    ...body,
  };
}

export const cdxBytes = (doc: CdxDocument): Buffer => Buffer.from(`${JSON.stringify(doc, null, 2)}\n`);
