// Overhead against the floor: a successful login (register) on the embedded defaults, in process,
// against one bcrypt.compare (bcrypt.hash) at the same cost. Prints one JSON line.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { GENEROUS_LIMITS } from './environment.js';
import { median, round } from './stats.js';

const RUNS = Number(process.env.BENCH_OVERHEAD_RUNS ?? 15);
const COST = 12;
// The embedded defaults, whatever the shell that started the bench points at.
for (const name of Object.keys(process.env)) {
  if (/^(DATABASE_|SQLALCHEMY_|UPSTASH_|KV_|MAIL_SERVER$|CLOUDINARY_URL$|VERCEL_ENV$)/.test(name)) delete process.env[name];
}
Object.assign(process.env, {
  NODE_ENV: 'development',
  BCRYPT_COST: String(COST),
  DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-bench-')),
  PGLITE_DATA_DIR: 'memory://',
  ...GENEROUS_LIMITS,
});

const { POST: register } = await import('../../api/register.js');
const { POST: login } = await import('../../api/login.js');

const post = (path: string, body: unknown) =>
  new Request(`http://localhost${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '127.0.0.1' },
    body: JSON.stringify(body),
  });

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

const password = 'bench password';
// Warm up: open PGlite, load every module once.
const first = await register(post('/api/register', { username: 'warm', email: 'warm@example.com', password }));
if (first.status !== 201) throw new Error(`register failed: ${first.status} ${await first.text()}`);
const hash = await bcrypt.hash(password, COST);

const loginTimes: number[] = [];
const compareTimes: number[] = [];
const registerTimes: number[] = [];
const hashTimes: number[] = [];
for (let i = 0; i < RUNS; i++) {
  // Interleaved, so that machine noise hits both sides alike.
  loginTimes.push(await timed(async () => {
    const r = await login(post('/api/login', { username: 'warm', password }));
    if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  }));
  compareTimes.push(await timed(() => bcrypt.compare(password, hash)));
  registerTimes.push(await timed(async () => {
    const r = await register(post('/api/register', { username: `user_${i}`, email: `user_${i}@example.com`, password }));
    if (r.status !== 201) throw new Error(`register failed: ${r.status}`);
  }));
  hashTimes.push(await timed(() => bcrypt.hash(password, COST)));
}
console.log(
  JSON.stringify({
    cost: COST,
    runs: RUNS,
    loginMs: round(median(loginTimes), 1),
    compareMs: round(median(compareTimes), 1),
    loginRatio: round(median(loginTimes) / median(compareTimes), 3),
    registerMs: round(median(registerTimes), 1),
    hashMs: round(median(hashTimes), 1),
    registerRatio: round(median(registerTimes) / median(hashTimes), 3),
  }),
);
process.exit(0);
