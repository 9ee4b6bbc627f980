import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDevServerProcess } from './support/dev-server-process.js';
import { newAccount } from './support/http.js';
import { latestCode } from './support/outbox.js';
import { redisAvailable } from './support/services.js';

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const withRedis = await redisAvailable();

/** `npm run redis:rest`, as the README has a developer start it: the variables it prints, and a stop. */
async function startRedisRestScript(): Promise<{ env: Record<string, string>; close: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/redis-rest.ts'], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const match = await new Promise<RegExpExecArray>((ready, fail) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const found = /UPSTASH_REDIS_REST_URL=(\S+) UPSTASH_REDIS_REST_TOKEN=(\S+) npm run dev/.exec(out);
      if (found) ready(found);
    });
    child.on('exit', (code) => fail(new Error(`npm run redis:rest exited with ${code}: ${out}`)));
  });
  return {
    env: { UPSTASH_REDIS_REST_URL: match[1]!, UPSTASH_REDIS_REST_TOKEN: match[2]! },
    close: () => new Promise<void>((done) => (child.exitCode !== null ? done() : (child.once('exit', () => done()), child.kill('SIGTERM')))),
  };
}

for (const backend of ['in-process', 'redis'] as const) {
  describe.skipIf(backend === 'redis' && !withRedis)(`password reset over HTTP on npm run dev (${backend} store)`, () => {
    let server: Awaited<ReturnType<typeof startDevServerProcess>>;
    let closeRest = async () => {};
    beforeAll(async () => {
      const env: Record<string, string> = { REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`, RATE_LIMIT_FORGOT_IP: '3/1h' };
      if (backend === 'redis') {
        const rest = await startRedisRestScript();
        closeRest = rest.close;
        Object.assign(env, rest.env);
      }
      server = await startDevServerProcess(env);
    });
    afterAll(async () => {
      await server?.stop();
      await closeRest();
    });

    it('forgot → code from the outbox and the console → reset → old password and old token refused', async () => {
      // With Redis, through the variables `npm run redis:rest` printed, not the in-process store.
      expect(server.output().includes('redis: in-process store')).toBe(backend === 'in-process');
      const account = newAccount();
      const signUp = await post(`${server.url}/api/register`, account);
      expect(signUp.status).toBe(201);
      const oldToken = (await signUp.json()).access_token as string;

      const forgot = await post(`${server.url}/api/forgot-password`, { email: account.email });
      expect(forgot.status).toBe(202);
      // The dev server logs the request once the mail (sent after the response) is written.
      await vi.waitFor(() => expect(server.output()).toMatch(/POST \/api\/forgot-password 202/));
      const code = await latestCode(join(server.dataDir, 'outbox'), account.email);
      expect(server.output()).toContain(`password reset code for ${account.email}: ${code}`);

      const reset = await post(`${server.url}/api/reset-password`, { email: account.email, otp: code, new_password: 'over http new password' });
      expect(reset.status).toBe(200);
      expect((await post(`${server.url}/api/login`, { username: account.username, password: account.password })).status).toBe(401);
      expect((await post(`${server.url}/api/login`, { username: account.username, password: 'over http new password' })).status).toBe(200);
      const me = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${oldToken}` } });
      expect(me.status).toBe(401);
      expect(server.output()).not.toContain('over http new password');
    });

    it('limits by the address the server saw, not by a forged X-Forwarded-For or X-Real-IP', async () => {
      // RATE_LIMIT_FORGOT_IP is 3/1h here and the first test used one: two more pass, whatever
      // address each request claims, because the dev server (like Vercel) overwrites both headers.
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${server.url}/api/forgot-password`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}`, 'x-real-ip': `203.0.113.${i}` },
          body: JSON.stringify({ email: `probe-${i}@example.com` }),
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([202, 202, 429]);
    });
  });
}
