/**
 * The GitHub Actions side of a step: reading back what a step wrote for the runner.
 */

/** How the Actions runner reads the GITHUB_OUTPUT file (the last value of a key wins). */
export function readOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2]!, i + 1);
      if (end === -1) throw new Error(`unterminated ${block[1]}`);
      outputs[block[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('='))
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    else if (line !== '') throw new Error(`not an output line: ${line}`);
  }
  return outputs;
}
