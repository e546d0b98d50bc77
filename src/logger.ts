/** The slice of semantic-release's signale logger the plugins use. */
export interface Logger {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  success(...args: unknown[]): void;
}

export const silentLogger: Logger = { log() {}, warn() {}, error() {}, success() {} };
