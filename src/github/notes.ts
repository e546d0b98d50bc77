/**
 * Release notes for a GitHub release that `publish --tag` has to create: semantic-release's notes
 * are gone with the failed run, but @semantic-release/changelog wrote them into the changelog at the
 * tag. This takes the section whose heading names the version (`# 1.4.0 (…)`, `## [1.4.0](…) (…)`)
 * up to the next heading of the same or a higher level.
 */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function notesFromChangelog(changelog: string, version: string): string | undefined {
  const lines = changelog.split(/\r?\n/);
  const heading = new RegExp(`^(#{1,3}) +\\[?v?${escape(version)}(?![\\w.+-])`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return undefined;
  const level = heading.exec(lines[start]!)![1]!.length;
  const next = lines.findIndex(
    (line, i) => i > start && /^(#{1,6}) /.test(line) && /^#+/.exec(line)![0].length <= level,
  );
  const section = lines
    .slice(start, next < 0 ? undefined : next)
    .join('\n')
    .trim();
  return section || undefined;
}
