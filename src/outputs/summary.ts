import { readFile, writeFile } from 'node:fs/promises';

import type { ReleasedArtifact } from './artifacts.js';

export interface SummaryFacts {
  tag: string;
  version: string;
  pep440: string | undefined;
  artifacts: ReleasedArtifact[];
  /** The GitHub release page, when the run knows its repository. */
  releaseUrl: string | undefined;
}

const code = (s: string): string => `\`${s.replaceAll('`', "'")}\``;
const cell = (s: string): string => s.replaceAll('|', '\\|');
const isUrl = (s: string): boolean => /^https?:\/\//.test(s);

/** The Markdown summary of one release. */
export function summaryMarkdown(facts: SummaryFacts): string {
  const versions = facts.pep440 && facts.pep440 !== facts.version ? ` (PEP 440 ${facts.pep440})` : '';
  const lines = [`### Released ${facts.tag}`, '', `Version ${code(facts.version)}${versions}.`, ''];
  if (facts.artifacts.length > 0) {
    lines.push('| Artifact | Reference | Digest |', '| --- | --- | --- |');
    for (const a of facts.artifacts) {
      const where = isUrl(a.reference) ? `<${a.reference}>` : code(a.reference);
      const also = a.more.length ? `<br>also ${a.more.map(code).join(', ')}` : '';
      lines.push(`| ${a.key} | ${cell(where + also)} | ${a.digest ? code(a.digest) : '—'} |`);
    }
    lines.push('');
  }
  if (facts.releaseUrl) lines.push(`[GitHub release ${facts.tag}](${facts.releaseUrl})`, '');
  return lines.join('\n');
}

const START = (tag: string) => `<!-- semantic-release-stack ${tag} -->`;
const END = '<!-- /semantic-release-stack -->';

/**
 * Appends the release's section to the step summary, or replaces the section an earlier plugin of
 * the same run wrote (each standalone plugin of a release writes it; the last one knows the most).
 */
export async function writeSummary(file: string, tag: string, markdown: string): Promise<void> {
  const section = `${START(tag)}\n${markdown}\n${END}\n`;
  const current = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const start = current.indexOf(START(tag));
  const end = start === -1 ? -1 : current.indexOf(END, start);
  const next =
    start !== -1 && end !== -1
      ? current.slice(0, start) + section + current.slice(end + END.length).replace(/^\n/, '')
      : `${current}${current && !current.endsWith('\n') ? '\n' : ''}${section}`;
  await writeFile(file, next, 'utf8');
}
