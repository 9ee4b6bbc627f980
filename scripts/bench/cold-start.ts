// Cold start per function: each api/ file built on its own in two ways ("vercel", by Vercel's own
// Node.js builder as a deployment is, and "bundled" by esbuild), then imported by fresh `node`
// processes that answer one request. Prints one JSON line: the rows. Alone, for one function:
//   BENCH_COLD_ONLY=callback npx tsx scripts/bench/cold-start.ts
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { bundledBuildOptions, eagerOutputs } from './bundle-options.js';
import { apiFiles } from '../../tests/support/api-files.js';
import { closeDb } from '../../lib/db/client.js';
import { servedMethods } from '../../lib/other-methods.js';
import { productionEnvironment, withEnv } from './environment.js';
import { requestFor, type RequestSpec } from './requests.js';
import { seedAccount } from './seed.js';
import { median, round } from './stats.js';
import { buildLikeVercel } from './vercel-build.js';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, '.data/bench/bundles');
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 10);
const FLOOR = '(empty function)';
/** Measure only the functions whose "METHOD /route" contains this (and the floor), to try a change. */
const ONLY = process.env.BENCH_COLD_ONLY;

/**
 * - vercel: built by Vercel's own Node.js builder, as a deployment is (see vercel-build.ts).
 * - bundled: what a deployment could be with a bundling build step (see bundle-options.ts).
 */
type Mode = 'vercel' | 'bundled';
const FLOOR_SOURCE = "export async function GET() { return new Response('{}', { headers: { 'content-type': 'application/json' } }); }\n";
const FLOOR_ENTRY = 'api/__bench_floor.ts';

interface Built {
  file: string;
  /** The function's root folder (its working directory, as /var/task is on Vercel). */
  root: string;
  /** bundled: what a cold start reads before the request (the entry and its static chunks);
   *  vercel: everything deployed for the function. */
  bytes: number;
}

/** Builds every entry (paths relative to the project) in `mode`. */
async function buildAll(entries: string[], mode: Mode): Promise<Map<string, Built>> {
  const built = new Map<string, Built>();
  if (mode === 'vercel') {
    const functions = await buildLikeVercel(entries, join(OUT, mode), { [FLOOR_ENTRY]: FLOOR_SOURCE });
    entries.forEach((entry, i) => built.set(entry, { file: join(functions[i]!.dir, functions[i]!.handler), root: functions[i]!.dir, bytes: functions[i]!.deployedBytes }));
    return built;
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'floor.ts'), FLOOR_SOURCE);
  for (const entry of entries) {
    const outdir = join(OUT, mode, entry.replace(/\.ts$/, '').replaceAll('/', '_'));
    const source = entry === FLOOR_ENTRY ? join(OUT, 'floor.ts') : join(ROOT, entry);
    const result = await build({ ...bundledBuildOptions(), entryPoints: { index: source }, outdir, metafile: true });
    const bytes = eagerOutputs(result.metafile).reduce((n, key) => n + result.metafile.outputs[key]!.bytes, 0);
    built.set(entry, { file: join(outdir, 'index.mjs'), root: outdir, bytes });
  }
  return built;
}

function runChild({ file: bundlePath, root }: Built, spec: RequestSpec, env: Record<string, string>, modules = false) {
  return new Promise<{ ms: number; importMs: number; status: number; redirectError: string | null; modules: string[]; logged: string }>((done, fail) => {
    const args = [join(import.meta.dirname, 'cold-start-child.mjs'), bundlePath, JSON.stringify(spec)];
    if (modules) args.push('--modules');
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      try {
        done({ ...JSON.parse(out), logged: err.trim() });
      } catch {
        fail(new Error(`cold-start child for ${bundlePath} exited ${code}: ${err || out}`));
      }
    });
  });
}

export interface ColdStartRow {
  function: string;
  method: string;
  mode: Mode;
  /** See `Built`. */
  bytes: number;
  medianMs: number;
  /** Of which the import alone, before the first request. */
  importMs: number;
  /** The median over the floor's runs paired with this function's (one before each of its runs). */
  overFloorMs: number;
  /** The worst of the runs' answers (the first 4xx or 5xx, if any). */
  status: number;
  loadsCloudinary: boolean;
  loadsPglite: boolean;
  /** What the function wrote to stderr in any run (an error logged during its first request), and
   *  any `?error=` it redirected with. */
  logged: string[];
}

const production = await productionEnvironment();
try {
  const account = await withEnv(production.env, async () => {
    const seeded = await seedAccount(production.provider);
    await closeDb();
    return seeded;
  });
  const targets = [
    { name: FLOOR, entry: FLOOR_ENTRY, route: '/api/floor', method: 'GET' },
    ...(await Promise.all(
      apiFiles().map(async ({ file, route }) => {
        const entry = relative(ROOT, file);
        const methods = servedMethods(await import(file));
        return methods.map((method) => ({ name: `${method} ${route}`, entry, route, method }));
      }),
    )).flat(),
  ].filter((t) => t.name === FLOOR || !ONLY || t.name.includes(ONLY));
  const rows: ColdStartRow[] = [];
  // Each run gets its own request: reset and exchange need a fresh one-time code each time.
  const specFor = async (target: (typeof targets)[number]) => {
    const spec = { ...(await withEnv(production.env, () => requestFor(target.route, account))), method: target.method };
    // PATCH /api/me on its common path: a signed-in JSON change of the display name.
    if (target.method === 'PATCH') Object.assign(spec, { headers: { ...spec.headers, authorization: `Bearer ${account.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ full_name: 'Bench' }) });
    return spec;
  };
  const floorTarget = targets.find((t) => t.name === FLOOR)!;
  for (const mode of ['vercel', 'bundled'] as const) {
    const built = await buildAll([...new Set(targets.map((t) => t.entry))], mode);
    const floor = built.get(FLOOR_ENTRY)!;
    for (const target of targets) {
      const fn = built.get(target.entry)!;
      const times: number[] = [];
      const imports: number[] = [];
      const floorTimes: number[] = [];
      let status = 0;
      const logged = new Set<string>();
      // Each run is a fresh process, so none warms another; each is paired with a run of the floor
      // just before it, so that the machine's load at the time falls on both alike.
      for (let i = 0; i < RUNS; i++) {
        if (target.name !== FLOOR) floorTimes.push((await runChild(floor, await specFor(floorTarget), production.env)).ms);
        const result = await runChild(fn, await specFor(target), production.env);
        times.push(result.ms);
        imports.push(result.importMs);
        // The worst answer of the runs: one that failed early would be fast for the wrong reason.
        if (status === 0 || status < 400) status = result.status;
        if (result.logged) logged.add(result.logged);
        if (result.redirectError) logged.add(`redirected with error=${result.redirectError}`);
      }
      const probe = await runChild(fn, await specFor(target), production.env, true);
      if (probe.logged) logged.add(probe.logged); // the work after the answer, which the timed runs exit before
      const loads = (pkg: string) => probe.modules.some((m) => m.includes(`/node_modules/${pkg}/`) || m === `specifier:${pkg}` || m.startsWith(`specifier:${pkg}/`));
      const medianMs = round(median(times), 1);
      rows.push({
        function: target.name,
        method: target.method,
        mode,
        bytes: fn.bytes,
        medianMs,
        importMs: round(median(imports), 1),
        overFloorMs: target.name === FLOOR ? 0 : round(medianMs - median(floorTimes), 1),
        status,
        loadsCloudinary: loads('cloudinary'),
        loadsPglite: loads('@electric-sql/pglite'),
        logged: [...logged],
      });
    }
  }
  console.log(JSON.stringify(rows));
} finally {
  await production.close();
}
