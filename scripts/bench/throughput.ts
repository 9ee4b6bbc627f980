// Throughput against the floor: GET /api/me on the dev server (embedded defaults) under autocannon,
// divided by a bare Node.js http server answering fixed JSON, in the same run. Prints one JSON line.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { GENEROUS_LIMITS } from './environment.js';
import { round } from './stats.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);

async function startServer(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ready, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) ready(match[1]!);
    });
    child.on('exit', (code) => fail(new Error(`server exited ${code}: ${out}`)));
  });
  child.stdout.removeAllListeners('data');
  child.stdout.resume(); // keep draining the per-request log lines
  return { url, stop: () => child.kill('SIGTERM') };
}

async function load(url: string, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections: 10, duration: SECONDS, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

const dev = await startServer(['--import', 'tsx', 'scripts/dev.ts'], {
  ENV_FILE: '', // the embedded defaults, whatever a developer's .env points at
  NODE_ENV: 'development',
  PORT: '0',
  BCRYPT_COST: '4',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-bench-')),
  ...GENEROUS_LIMITS,
});
const bare = await startServer([join(import.meta.dirname, 'bare-server.mjs')], {});
try {
  const registered = await fetch(`${dev.url}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'loaduser', email: 'load@example.com', password: 'load password' }),
  });
  const { access_token } = (await registered.json()) as { access_token: string };
  const me = () => load(`${dev.url}/api/me`, { authorization: `Bearer ${access_token}` });
  const floor = () => load(bare.url);
  await me(); // warm-up runs, discarded
  await floor();
  // Alternated, so that a change in the machine's load meanwhile falls on both alike.
  const meRuns = [await me()];
  const floorRuns = [await floor()];
  meRuns.push(await me());
  floorRuns.push(await floor());
  const meRps = (meRuns[0]! + meRuns[1]!) / 2;
  const floorRps = (floorRuns[0]! + floorRuns[1]!) / 2;
  console.log(JSON.stringify({ seconds: SECONDS, meRps: round(meRps, 0), floorRps: round(floorRps, 0), ratio: round(meRps / floorRps, 3) }));
} finally {
  dev.stop();
  bare.stop();
}
process.exit(0);
