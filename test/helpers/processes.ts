/**
 * Processes as Linux's /proc shows them: who descends from whom, and who is still alive. A zombie
 * (exited, not yet reaped: in a container PID 1 may never reap orphans) counts as dead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The kernel's name of the program (`comm`, at most 15 characters). */
  comm: string;
  /** R, S, D, Z, T… */
  state: string;
  /** Clock ticks after boot when it started: with the pid, it names one process (pids are reused). */
  start: number;
  cmdline: string;
}

/** One process from /proc/<pid>/stat (comm may contain spaces and parentheses: split at the last ')'). */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    // The fields after comm start with the third, state; starttime is the 22nd.
    const fields = stat.slice(close + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return {
      pid,
      ppid: Number(fields[1]),
      comm: stat.slice(stat.indexOf('(') + 1, close),
      state: fields[0]!,
      start: Number(fields[19]),
      cmdline,
    };
  } catch {
    return undefined;
  }
}

export function allProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => processInfo(Number(name)) ?? []);
}

/** Every live descendant of `pid` (children, their children…). */
export function descendants(pid: number): ProcessInfo[] {
  const all = allProcesses().filter((p) => p.state !== 'Z');
  const found: ProcessInfo[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

/** True while `process` runs: the same pid with the same start time, and not a zombie. */
export function isRunning(process: ProcessInfo): boolean {
  const now = processInfo(process.pid);
  return now !== undefined && now.state !== 'Z' && now.start === process.start;
}

/** Waits until `predicate` holds or `ms` passed; returns whether it held. */
export async function waitFor(predicate: () => boolean, ms: number, step = 50): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, step));
  }
  return true;
}

/**
 * Samples /proc/<pid>/cmdline of every process, every few milliseconds, until stopped: `stop()`
 * gives each distinct argv seen (arguments joined by spaces). Tests use it to show a secret never
 * reached any process's argv.
 */
export function sampleArgv(): { stop(): Promise<string[]>; samples(): number } {
  const seen = new Set<string>();
  let running = true;
  let samples = 0;
  const loop = (async () => {
    while (running) {
      const pids = (await readdir('/proc').catch(() => [])).filter((p) => /^\d+$/.test(p));
      await Promise.all(
        pids.map(async (pid) => {
          const argv = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
          if (argv) seen.add(argv.replaceAll('\0', ' '));
        }),
      );
      samples++;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    samples: () => samples,
    async stop() {
      running = false;
      await loop;
      return [...seen];
    },
  };
}

/** Every distinct argv seen while `run` goes on. */
export async function withArgvSamples<T>(
  run: () => Promise<T>,
): Promise<{ result: T; argv: string[]; samples: number }> {
  const sampler = sampleArgv();
  try {
    const result = await run();
    return { result, argv: await sampler.stop(), samples: sampler.samples() };
  } finally {
    await sampler.stop(); // also when run() failed; stopping twice is harmless
  }
}
