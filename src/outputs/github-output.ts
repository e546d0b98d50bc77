import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';

/** One workflow output: a key and its value; a value with line breaks is written as a block. */
export type Output = readonly [key: string, value: string];

/**
 * The GITHUB_OUTPUT file's format: `key=value` per line, or for a value with line breaks
 * `key<<DELIMITER`, the value, `DELIMITER`, with a delimiter that occurs nowhere in the value.
 * The runner reads the file after the step; for a key written twice the last value counts.
 */
export function formatOutputs(outputs: readonly Output[]): string {
  return outputs
    .map(([key, value]) => {
      if (!/[\r\n]/.test(value)) return `${key}=${value}\n`;
      let delimiter: string;
      do delimiter = `ghadelimiter_${randomUUID()}`;
      while (value.includes(delimiter));
      return `${key}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}

/** Appends outputs to the GITHUB_OUTPUT file (created if needed, as the runner would). */
export async function appendOutputs(file: string, outputs: readonly Output[]): Promise<void> {
  if (outputs.length > 0) await appendFile(file, formatOutputs(outputs), 'utf8');
}
