import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Starts `scripts/dev.ts` as `npm run dev` does, in a child process on a free port with its own
 * data folder, and resolves with its URL once it prints it. `output()` is everything it logged.
 */
export async function startDevServerProcess(env: Record<string, string> = {}): Promise<{
  url: string;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-dev-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      PORT: '0',
      DATA_DIR: dataDir,
      BCRYPT_COST: '4',
      ENV_FILE: '', // a developer's own .env stays out of the tests (a test that wants one passes it)
      // The suite's generous limits (setup-env.ts); a test that wants tight ones passes its own.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('RATE_LIMIT_'))),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = await new Promise<string>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`dev server did not start:\n${log}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        ready(match[1]!);
      }
    });
    child.on('exit', (code) => fail(new Error(`dev server exited with ${code}:\n${log}`)));
  });
  return {
    url,
    dataDir,
    output: () => log,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
