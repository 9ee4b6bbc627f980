// Cold start per function: each api/ file bundled on its own with esbuild (packages left external,
// as Vercel's Node.js builder traces them from node_modules), then imported by fresh `node`
// processes that answer one request. Prints one JSON line: the rows.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { closeDb } from '../../lib/db/client.js';
import { productionEnvironment, withEnv } from './environment.js';
import { requestFor, type RequestSpec } from './requests.js';
import { seedAccount } from './seed.js';
import { median, round } from './stats.js';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, '.data/bench/bundles');
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 10);
const FLOOR = '(empty function)';

function apiFiles(dir = join(ROOT, 'api')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? apiFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

async function bundle(entry: string, name: string): Promise<string> {
  const outfile = join(OUT, `${name.replaceAll('/', '_')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
}

function runChild(bundlePath: string, spec: RequestSpec, env: Record<string, string>, modules = false) {
  return new Promise<{ ms: number; status: number; modules: string[] }>((done, fail) => {
    const args = [join(import.meta.dirname, 'cold-start-child.mjs'), bundlePath, JSON.stringify(spec)];
    if (modules) args.push('--modules');
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      try {
        done(JSON.parse(out));
      } catch {
        fail(new Error(`cold-start child for ${bundlePath} exited ${code}: ${err || out}`));
      }
    });
  });
}

export interface ColdStartRow {
  function: string;
  method: string;
  bundleBytes: number;
  medianMs: number;
  overFloorMs: number;
  status: number;
  loadsCloudinary: boolean;
  loadsPglite: boolean;
}

const production = await productionEnvironment();
try {
  const account = await withEnv(production.env, async () => {
    const seeded = await seedAccount();
    await closeDb();
    return seeded;
  });
  mkdirSync(OUT, { recursive: true });
  const floorFile = join(OUT, 'floor.ts');
  writeFileSync(floorFile, "export async function GET() { return new Response('{}', { headers: { 'content-type': 'application/json' } }); }\n");
  const targets = [
    { name: FLOOR, entry: floorFile, route: '/api/floor', method: 'GET' },
    ...(await Promise.all(
      apiFiles().map(async (file) => {
        const route = '/' + relative(ROOT, file).replace(/\.ts$/, '');
        const methods = Object.keys(await import(file)).filter((m) => m !== 'OPTIONS');
        return methods.map((method) => ({ name: `${method} ${route}`, entry: file, route, method }));
      }),
    )).flat(),
  ];
  const rows: ColdStartRow[] = [];
  for (const target of targets) {
    const bundlePath = await bundle(target.entry, target.name === FLOOR ? 'floor' : target.route);
    const times: number[] = [];
    let status = 0;
    for (let i = 0; i < RUNS; i++) {
      const spec = { ...requestFor(target.route, account), method: target.method };
      if (target.method === 'PATCH') Object.assign(spec, { headers: { ...spec.headers, authorization: `Bearer ${account.token}`, 'content-type': 'application/json' }, body: '{}' });
      const result = await runChild(bundlePath, spec, production.env);
      times.push(result.ms);
      status = result.status;
    }
    const probe = await runChild(bundlePath, { ...requestFor(target.route, account), method: target.method }, production.env, true);
    rows.push({
      function: target.name,
      method: target.method,
      bundleBytes: statSync(bundlePath).size,
      medianMs: round(median(times), 1),
      overFloorMs: 0,
      status,
      loadsCloudinary: probe.modules.some((m) => m.includes('/node_modules/cloudinary/')),
      loadsPglite: probe.modules.some((m) => m.includes('/node_modules/@electric-sql/pglite/')),
    });
  }
  const floor = rows[0]!.medianMs;
  for (const row of rows) row.overFloorMs = round(row.medianMs - floor, 1);
  console.log(JSON.stringify(rows));
} finally {
  await production.close();
}
