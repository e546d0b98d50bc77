/**
 * Benchmark 5 — chart packaging (packageChart) and version edits (applyEdits) against size: charts
 * of 10 to 1,000 template files, values.yaml of 1 KB to 1 MB. Each size in a fresh node process
 * (bench/lib/chart-child.mjs), one cold call then the median of warm calls; `tar -czf` of the same
 * chart folder for scale. The point is that both are negligible next to a release and grow linearly.
 *
 *   npx vite-node bench/chart-edits.bench.ts -- [--size=smoke|real] [--runs=N] [--dist=head|worktree]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchSize,
  BENCH_DIR,
  describeMachine,
  distLabel,
  loadavg,
  RESULTS_DIR,
  runMain,
  runsArg,
  saveResult,
  stackDist,
} from './lib/env.js';
import { median, ms, table } from './lib/stats.js';

const TEMPLATE = (i: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "os-vim-driver.fullname" . }}-${i}
  labels:
    app.kubernetes.io/name: {{ .Chart.Name }}
    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Chart.Name }}-${i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Chart.Name }}-${i}
    spec:
      containers:
        - name: driver-${i}
          image: "{{ .Values.docker.image }}:{{ .Values.docker.version }}"
          imagePullPolicy: {{ .Values.docker.imagePullPolicy }}
          env:
${Array.from({ length: 30 }, (_, k) => `            - name: SETTING_${i}_${k}\n              value: "{{ .Values.settings.s${k} | default \\"x\\" }}"`).join('\n')}
`;

function makeChart(dir: string, templates: number): number {
  const chart = join(dir, 'chart', 'os-vim-driver');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(
    join(chart, 'Chart.yaml'),
    'apiVersion: v2\nname: os-vim-driver\ndescription: OpenStack VIM driver\ntype: application\nversion: 0.1.0-dev.0\nappVersion: "0.1.0.dev0"\n',
  );
  writeFileSync(
    join(chart, 'values.yaml'),
    'docker:\n  image: accanto/os-vim-driver\n  version: 0.1.0.dev0\n  imagePullPolicy: IfNotPresent\nreplicas: 1\nsettings: {}\n',
  );
  writeFileSync(join(chart, '.helmignore'), '.git/\n*.tmp\n');
  let bytes = 0;
  for (let i = 0; i < templates; i++) {
    const text = TEMPLATE(i);
    bytes += text.length;
    writeFileSync(join(chart, 'templates', `deployment-${i}.yaml`), text);
  }
  return bytes;
}

function makeEditFiles(dir: string, valuesBytes: number): void {
  const root = join(dir, 'repo');
  mkdirSync(join(root, 'osvimdriver'), { recursive: true });
  mkdirSync(join(root, 'helm/os-vim-driver'), { recursive: true });
  writeFileSync(
    join(root, 'osvimdriver/pkg_info.json'),
    '{"version": "0.1.0.dev0", "ignition-version": "==0.1.0"}\n',
  );
  writeFileSync(
    join(root, 'helm/os-vim-driver/Chart.yaml'),
    '# chart\napiVersion: v2\nname: os-vim-driver\nversion: 0.1.0-dev.0\nappVersion: "0.1.0.dev0"\n',
  );
  const lines = [
    '# Default values.',
    'docker:',
    '  image: accanto/os-vim-driver',
    '  # set by the release',
    '  version: 0.1.0.dev0',
    'settings:',
  ];
  let size = lines.join('\n').length;
  for (let k = 0; size < valuesBytes; k++) {
    const block = [
      `  # setting ${k}`,
      `  s${k}:`,
      `    enabled: ${k % 2 === 0}`,
      `    name: "value number ${k}"`,
      `    list: [a, b, c]`,
    ];
    lines.push(...block);
    size += block.join('\n').length + 1;
  }
  writeFileSync(join(root, 'helm/os-vim-driver/values.yaml'), lines.join('\n') + '\n');
}

interface Child {
  chart: { coldMs: number; ms: number[] };
  edits: { coldMs: number; ms: number[] };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const size = benchSize();
  const machine = describeMachine();
  const dist = stackDist();
  const runs = size === 'smoke' ? 2 : runsArg(9);
  const points =
    size === 'smoke'
      ? [
          { templates: 10, values: 1e3 },
          { templates: 50, values: 1e4 },
        ]
      : [
          { templates: 10, values: 1e3 },
          { templates: 100, values: 1e4 },
          { templates: 1000, values: 1e5 },
          { templates: 3000, values: 1e6 },
        ];
  const rows: Array<{
    templates: number;
    chartBytes: number;
    values: number;
    child: Child;
    tarMs: number[];
  }> = [];
  for (const p of points) {
    const dir = mkdtempSync(join(tmpdir(), 'srs-bench-chart-'));
    try {
      const chartBytes = makeChart(dir, p.templates);
      makeEditFiles(dir, p.values);
      const out = execFileSync(
        process.execPath,
        [
          join(BENCH_DIR, 'lib/chart-child.mjs'),
          dist,
          join(dir, 'chart/os-vim-driver'),
          join(dir, 'repo'),
          String(runs),
        ],
        { encoding: 'utf8' },
      );
      const child = JSON.parse(out.trim().split('\n').pop()!) as Child;
      const tarMs: number[] = [];
      for (let i = 0; i < Math.min(runs, 5); i++) {
        const t = performance.now();
        execFileSync('tar', ['-czf', join(dir, 'c.tgz'), '-C', join(dir, 'chart'), 'os-vim-driver']);
        tarMs.push(performance.now() - t);
      }
      rows.push({ templates: p.templates, chartBytes, values: p.values, child, tarMs });
      console.log(
        `  ${p.templates} templates: packageChart ${ms(median(child.chart.ms))}, applyEdits (${p.values} B values) ${ms(median(child.edits.ms))}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // The stack's median release, for "negligible".
  const releaseFile = join(RESULTS_DIR, 'release.json');
  const releaseMs = existsSync(releaseFile)
    ? median(
        (JSON.parse(readFileSync(releaseFile, 'utf8')) as { raw: { walls: { stack: number[] } } }).raw.walls
          .stack,
      )
    : NaN;
  const chartTable = table(
    [
      'chart',
      'packageChart cold',
      'packageChart warm (median)',
      'per template file',
      'per MB',
      'tar -czf of the folder (process)',
    ],
    rows.map((r) => {
      const m = median(r.child.chart.ms);
      return [
        `${r.templates} templates, ${(r.chartBytes / 1e6).toFixed(2)} MB`,
        ms(r.child.chart.coldMs),
        ms(m),
        `${((m / r.templates) * 1000).toFixed(0)} µs`,
        ms(m / (r.chartBytes / 1e6)),
        ms(median(r.tarMs)),
      ];
    }),
  );
  const editTable = table(
    ['values.yaml', 'applyEdits cold', 'applyEdits warm (median)', 'per KB of values.yaml'],
    rows.map((r) => {
      const m = median(r.child.edits.ms);
      return [
        `${(r.values / 1e3).toFixed(0)} KB`,
        ms(r.child.edits.coldMs),
        ms(m),
        `${((m / (r.values / 1e3)) * 1000).toFixed(0)} µs`,
      ];
    }),
  );
  const small = rows[0]!;
  const typical =
    median(small.child.chart.ms) +
    median(small.child.edits.ms) +
    small.child.chart.coldMs +
    small.child.edits.coldMs;
  const markdown = [
    `Measured: ${distLabel(dist)}. Each size in a fresh node process: one cold call, then the median of ${runs} warm calls. Four edits per call (pkg_info.json version, Chart.yaml version and appVersion, values.yaml docker.version), each file written atomically (temp file, fsync, rename, directory fsync).`,
    '',
    chartTable,
    '',
    editTable,
    '',
    Number.isFinite(releaseMs)
      ? `Cold + warm cost at the example's size (10 templates, 1 KB values): ${ms(typical)}, ${((100 * typical) / releaseMs).toFixed(2)} % of the stack's median full release (${ms(releaseMs)}, bench/results/release.json).`
      : `Cold + warm cost at the example's size: ${ms(typical)}.`,
  ].join('\n');
  saveResult({
    name: 'chart-edits',
    title: 'Chart packaging and version edits against size',
    command: `npx vite-node bench/chart-edits.bench.ts -- --size=${size}`,
    size,
    machine,
    loadEnd: loadavg(),
    durationS: (Date.now() - t0) / 1000,
    headlines: [
      {
        metric: 'packageChart, 10 → 1,000 templates (warm)',
        value: `${ms(median(rows[0]!.child.chart.ms))} → ${ms(median(rows.find((r) => r.templates === 1000)?.child.chart.ms ?? rows.at(-1)!.child.chart.ms))}`,
        goal: 'negligible, linear',
      },
      {
        metric: 'applyEdits, values.yaml 1 KB → 1 MB (warm)',
        value: `${ms(median(rows[0]!.child.edits.ms))} → ${ms(median(rows.at(-1)!.child.edits.ms))}`,
        goal: 'negligible, linear',
      },
    ],
    markdown,
    raw: rows,
  });
}

runMain(main);
