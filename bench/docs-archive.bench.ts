/**
 * Benchmark 4 — the docs archive: the stack's streaming tar.gz writer (buildDocsArchive, in a child
 * node process that hands the tree to a worker thread; gzip blocks compressed in parallel on libuv's
 * thread pool) against GNU tar + gzip (`tar -I 'gzip -6' -cf … --transform …`, what the seed runs,
 * with the level made explicit, sorted, owner 0, one mtime) and against two tar libraries writing
 * the same archive: tar-stream piped into zlib, and node-tar's create()
 * (`bench/lib/archive-lib-child.mjs`). A fourth library
 * variant pipes tar-stream into the stack's parallel deflate, to tell the tar format from the
 * compression. All at gzip level 6, on generated trees. Wall time, CPU time and peak RSS
 * (/usr/bin/time -f '%M %U %S') of each process.
 *
 *   npx vite-node bench/docs-archive.bench.ts -- [--size=smoke|real|full] [--runs=N] [--dist=head|worktree]
 *
 * smoke: 2 MB / 200 files, one run of each. real: 20 MB / 2,000 files and 200 MB / 20,000 files;
 * full adds 1 GB / 100,000 files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchSize,
  BENCH_DIR,
  describeMachine,
  distLabel,
  loadavg,
  runMain,
  runsArg,
  saveResult,
  stackDist,
} from './lib/env.js';
import { median, ms, ratio, table } from './lib/stats.js';
import { ensureTree, type TreeSpec } from './lib/tree.js';

const TIME = '/usr/bin/time';
const TOP = 'os-vim-driver-1.4.0-docs';
/**
 * The seed's command plus what makes GNU tar do the same work as the others: sorted entries (by name
 * in each folder, which is the byte order of the whole path for these trees), owner 0 and one mtime.
 */
const GNU_TAR_FLAGS = ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1700000000'];

interface Sample {
  wallMs: number;
  rssMb: number;
  /** User + system CPU seconds of the process and its children (gzip for tar). */
  cpuS: number;
  outBytes: number;
  /** The writer's own measurement inside the child (without node start-up). */
  innerMs?: number;
}

const WRITERS = ['tar', 'stack', 'tar-stream', 'node-tar', 'tar-stream-parallel'] as const;
type Writer = (typeof WRITERS)[number];

const LABELS: Record<Writer, string> = {
  tar: 'GNU tar + gzip -6',
  stack: 'stack (own writer, parallel gzip)',
  'tar-stream': 'tar-stream + zlib gzip',
  'node-tar': 'node-tar create (gzip)',
  'tar-stream-parallel': 'tar-stream + stack’s parallel gzip',
};

function timed(
  args: string[],
  cwd: string,
): Promise<{ wallMs: number; rssMb: number; cpuS: number; stdout: string }> {
  const rssFile = join(mkdtempSync(join(tmpdir(), 'srs-bench-time-')), 'rss');
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(TIME, ['-f', '%M %U %S', '-o', rssFile, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t;
      const [rssKb, user, sys] = readFileSync(rssFile, 'utf8')
        .trim()
        .split('\n')
        .pop()!
        .split(' ')
        .map(Number);
      rmSync(join(rssFile, '..'), { recursive: true, force: true });
      if (code !== 0) reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}`));
      else resolve({ wallMs, rssMb: rssKb! / 1024, cpuS: user! + sys!, stdout });
    });
  });
}

async function run(writer: Writer, dist: string, root: string, out: string): Promise<Sample> {
  if (writer === 'tar') {
    const r = await timed(
      ['tar', ...GNU_TAR_FLAGS, '-I', 'gzip -6', '-cf', out, 'docs', '--transform', `s/^docs/${TOP}/`],
      root,
    );
    return { wallMs: r.wallMs, rssMb: r.rssMb, cpuS: r.cpuS, outBytes: statSync(out).size };
  }
  const args =
    writer === 'stack'
      ? [join(BENCH_DIR, 'lib/archive-child.mjs'), dist, root, out, TOP]
      : [join(BENCH_DIR, 'lib/archive-lib-child.mjs'), writer, dist, root, out, TOP];
  const r = await timed([process.execPath, ...args], root);
  const inner = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; size: number };
  return { wallMs: r.wallMs, rssMb: r.rssMb, cpuS: r.cpuS, outBytes: inner.size, innerMs: inner.ms };
}

/**
 * The archive's entry names, in order, and every regular file's content hash, as GNU tar reads them
 * (directory names without their trailing slash: writers differ there, readers do not). Every writer
 * must give the same list, or the comparison is not of the same work.
 */
function contentOf(archive: string): string {
  const names = spawnSync('tar', ['-tzf', archive], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (names.status !== 0) throw new Error(`tar -tzf ${archive}: ${names.stderr}`);
  const listing = names.stdout.replace(/\/$/gm, '');
  const data = spawnSync('sh', ['-c', 'tar -xzOf "$1" | sha256sum', 'sh', archive], { encoding: 'utf8' });
  if (data.status !== 0) throw new Error(`tar -xzOf ${archive}: ${data.stderr}`);
  return `${createHash('sha256').update(listing).digest('hex')} ${data.stdout.split(' ')[0]}`;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const size = benchSize();
  const machine = describeMachine();
  const dist = stackDist();
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: apt-get install time`);
  const specs: Array<TreeSpec & { runs: number }> =
    size === 'smoke'
      ? [{ name: '2mb', bytes: 2e6, files: 200, runs: 1 }]
      : [
          { name: '20mb', bytes: 20e6, files: 2_000, runs: runsArg(5) },
          { name: '200mb', bytes: 200e6, files: 20_000, runs: Math.max(1, Math.ceil(runsArg(5) / 2)) },
          ...(size === 'full'
            ? [{ name: '1gb', bytes: 1e9, files: 100_000, runs: Math.max(1, Math.ceil(runsArg(5) / 3)) }]
            : []),
        ];
  const rows: Array<{ spec: TreeSpec; samples: Record<Writer, Sample[]> }> = [];
  for (const spec of specs) {
    const g = performance.now();
    const root = ensureTree(spec);
    console.log(`${spec.name}: tree ready (${ms(performance.now() - g)})`);
    const outDir = mkdtempSync(join(tmpdir(), 'srs-bench-archive-'));
    const samples = Object.fromEntries(WRITERS.map((w) => [w, [] as Sample[]])) as Record<Writer, Sample[]>;
    try {
      // Warm-up: the tree into the page cache, node's code cache, gzip's binary; and the check that
      // every writer archives the same entries with the same contents.
      const contents = new Map<Writer, string>();
      for (const w of WRITERS) {
        const out = join(outDir, `warm-${w}.tgz`);
        await run(w, dist, root, out);
        contents.set(w, contentOf(out));
        rmSync(out, { force: true });
      }
      const differing = WRITERS.filter((w) => contents.get(w) !== contents.get('stack'));
      if (differing.length > 0)
        throw new Error(`${differing.join(', ')} archived other entries or contents than the stack`);
      // Each round runs every writer once, the order rotated by one per round.
      for (let i = 0; i < spec.runs; i++) {
        const order = WRITERS.map((_, k) => WRITERS[(k + i) % WRITERS.length]!);
        for (const w of order) {
          const out = join(outDir, `${w}-${i}.tgz`);
          samples[w].push(await run(w, dist, root, out));
          rmSync(out, { force: true });
        }
        console.log(
          `  ${spec.name} round ${i + 1}/${spec.runs}: ${WRITERS.map((w) => `${w} ${ms(samples[w].at(-1)!.wallMs)}`).join(', ')}`,
        );
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
    rows.push({ spec, samples });
  }

  const treeLabel = (spec: TreeSpec): string =>
    `${spec.bytes >= 1e9 ? `${spec.bytes / 1e9} GB` : `${spec.bytes / 1e6} MB`} / ${spec.files >= 1000 ? `${spec.files / 1000}k` : spec.files} files`;
  const thr = (bytes: number, wall: number) => `${(bytes / 1e6 / (wall / 1000)).toFixed(1)} MB/s`;
  const wall = (s: Sample[]) => median(s.map((x) => x.wallMs));
  const peakOf = (s: Sample[]) => Math.max(...s.map((x) => x.rssMb));
  const body = rows.flatMap(({ spec, samples }) =>
    WRITERS.map((w) => {
      const s = samples[w];
      const inner = median(s.map((x) => x.innerMs ?? NaN));
      return [
        treeLabel(spec),
        LABELS[w],
        s.length,
        `${ms(wall(s))} (${thr(spec.bytes, wall(s))})`,
        ratio(wall(samples.tar) / wall(s)),
        ratio(wall(samples.stack) / wall(s)),
        Number.isFinite(inner) ? ms(inner) : '—',
        `${median(s.map((x) => x.cpuS)).toFixed(1)} s`,
        `${peakOf(s).toFixed(1)} MB`,
        `${(median(s.map((x) => x.outBytes)) / 1e6).toFixed(1)} MB`,
      ];
    }),
  );
  const main200 = rows.find((r) => r.spec.files === 20_000) ?? rows.at(-1)!;
  const r200 = wall(main200.samples.tar) / wall(main200.samples.stack);
  const libraries: Writer[] = ['tar-stream', 'node-tar'];
  const cpu = (s: Sample[]) => median(s.map((x) => x.cpuS));
  const bestLibrary = (r: (typeof rows)[number]) =>
    libraries.reduce((a, b) => (wall(r.samples[a]) <= wall(r.samples[b]) ? a : b));
  const cheapestLibrary = (r: (typeof rows)[number]) =>
    libraries.reduce((a, b) => (cpu(r.samples[a]) <= cpu(r.samples[b]) ? a : b));
  const peak = Math.max(...rows.flatMap((r) => r.samples.stack.map((s) => s.rssMb)));
  const peaks = rows.map((r) => peakOf(r.samples.stack));
  const flat = peaks.length < 2 || Math.max(...peaks) - Math.min(...peaks) < 0.25 * Math.min(...peaks);
  const markdown = [
    `Measured: ${distLabel(dist)}. Generated trees (85 % text files that compress ~3–4×, 15 % incompressible binary files, folders of 50). Each size: one warm-up of each writer (which also checks, with GNU tar, that all of them archive the same entry names in the same order with the same contents), then rounds that run every writer once, the order rotated by one each round; wall time spawn → exit of the process, peak RSS and CPU time (user + system, children included) from \`/usr/bin/time -f '%M %U %S'\` (peak RSS for tar: the tar process; gzip runs as its child). CPU time hardly depends on the machine's load, wall time does: with both cores busy elsewhere, compressing on several threads gains little. The stack runs \`buildDocsArchive\` in a fresh node process (\`bench/lib/archive-child.mjs\`), which archives trees of more than 200 entries on a worker thread. The libraries run in a fresh node process each (\`bench/lib/archive-lib-child.mjs\`) on the main thread, as a caller would use them: the stack's own scan (same entries, same byte order), owner 0 without names, mtime 1700000000, modes 0755/0644 by the exec bit, gzip level 6; tar-stream reads each file with \`fs.createReadStream\`, node-tar gets the sorted path list (\`noDirRecurse\`, \`portable\`, \`mtime\`, \`prefix\`, modes set in \`onWriteEntry\`). Walls include node start-up and module loading, peak RSS the whole process; "in-process" is the child's own timer (scan included).`,
    '',
    table(
      [
        'tree',
        'writer',
        'runs',
        'median wall (throughput)',
        'vs tar -czf',
        'vs stack',
        'in-process',
        'CPU (median)',
        'peak RSS',
        'archive size',
      ],
      body,
    ),
    '',
    `**Throughput at ${treeLabel(main200.spec)}: ${ratio(r200)} of tar's** (goal ≥ 1.0×${main200.spec.files === 20_000 ? '' : '; the goal is set at 200 MB / 20k files, not measured at this size'}). Peak RSS of the stack's archiver across sizes: ${peaks
      .map((p) => `${p.toFixed(0)} MB`)
      .join(' → ')} (goal ≤ 100 MB and flat; node's own baseline RSS is ~45 MB of that).`,
    '',
    `The stack against the faster library at each size (throughput; peak RSS stack / library): ${rows
      .map((r) => {
        const b = bestLibrary(r);
        return `${treeLabel(r.spec)}: ${ratio(wall(r.samples[b]) / wall(r.samples.stack))} the throughput of ${b}, ${peakOf(r.samples.stack).toFixed(0)} / ${peakOf(r.samples[b]).toFixed(0)} MB`;
      })
      .join('; ')}.`,
    '',
    `CPU time of the cheaper library against the stack's at each size: ${rows
      .map((r) => {
        const c = cheapestLibrary(r);
        return `${treeLabel(r.spec)}: ${c} ${ratio(cpu(r.samples[c]) / cpu(r.samples.stack))}`;
      })
      .join('; ')}.`,
  ].join('\n');
  const best200 = bestLibrary(main200);
  const lib200 = wall(main200.samples[best200]) / wall(main200.samples.stack);
  const cheap200 = cheapestLibrary(main200);
  const cpu200 = cpu(main200.samples[cheap200]) / cpu(main200.samples.stack);
  saveResult({
    name: 'docs-archive',
    title: 'Docs archive throughput and memory',
    command: `npx vite-node bench/docs-archive.bench.ts -- --size=${size}`,
    size,
    machine,
    loadEnd: loadavg(),
    durationS: (Date.now() - t0) / 1000,
    headlines: [
      {
        metric: `docs archive throughput, stack / tar -czf (${main200.spec.name})`,
        value: ratio(r200),
        goal: '≥ 1.0×',
        met: r200 >= 1,
      },
      {
        metric: `docs archive throughput, stack / ${best200} (${main200.spec.name}; the faster library)`,
        value: ratio(lib200),
        goal: '> 1.0× to keep the own writer',
        met: lib200 > 1,
      },
      {
        metric: `docs archive CPU time, ${cheap200} / stack (${main200.spec.name}; the cheaper library)`,
        value: ratio(cpu200),
        goal: '> 1.0× to keep the own writer',
        met: cpu200 > 1,
      },
      {
        metric: 'docs archiver peak RSS (max over sizes)',
        value: `${peak.toFixed(0)} MB`,
        goal: '≤ 100 MB, flat',
        met: peak <= 100 && flat,
      },
    ],
    markdown,
    raw: rows,
  });
}

runMain(main);
