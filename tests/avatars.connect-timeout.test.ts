import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as me from '../api/me.js';
import * as registration from '../api/register.js';
import { answerFirst, settleBackground } from '../lib/background.js';
import { form } from './avatars-suite.js';
import { useDatabase } from './support/database.js';
import { BASE, newAccount, problemOf } from './support/http.js';
import { tinyPng } from './support/images.js';

// Cloudinary unreachable in the way a network partition or a DNS resolver that never answers makes
// it: the connection never opens. The SDK's `timeout` is Node's request.setTimeout, an idle timer
// that only starts once the socket has connected, so it never fires here; the upload must still
// give up at CLOUDINARY_TIMEOUT_MS, in time for a 502 before the function's 10 s (vercel.json
// maxDuration; its 8 s default is checked against that in tests/config.test.ts), not leave the
// platform to kill it. A shorter deadline here, so the file does not wait 16 s.
const TIMEOUT_MS = 1_000;
let cleanup = async () => {};
const realAgent = http.globalAgent;
beforeAll(async () => {
  // A name (not an address), so that the SDK's connection asks the resolver, which never answers.
  process.env.CLOUDINARY_URL = `cloudinary://123456789012345:secret@cloud?upload_prefix=${encodeURIComponent('http://api.cloudinary.test')}`;
  process.env.CLOUDINARY_TIMEOUT_MS = String(TIMEOUT_MS);
  http.globalAgent = new http.Agent({ lookup: () => {} } as http.AgentOptions);
  cleanup = await useDatabase('pglite');
});
afterAll(async () => {
  http.globalAgent = realAgent;
  delete process.env.CLOUDINARY_TIMEOUT_MS;
  await cleanup();
});

describe('Cloudinary that cannot be connected to', () => {
  /** `work`'s value, or 'still waiting' after 9.5 s. */
  const inTime = <T>(work: Promise<T>) => Promise.race([work, new Promise<'still waiting'>((done) => setTimeout(() => done('still waiting'), 9_500).unref())]);

  it('PATCH /api/me answers 502 at CLOUDINARY_TIMEOUT_MS and changes nothing; the clean-up after it gives up too', { timeout: 30_000 }, async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const signUp = await registration.POST(new Request(`${BASE}/api/register`, { method: 'POST', body: form(newAccount({ full_name: 'Ada' })) }));
      const { access_token, user } = (await signUp.json()) as { access_token: string; user: { avatar_url: string | null } };
      const started = performance.now();
      const patch = me.PATCH(
        new Request(`${BASE}/api/me`, { method: 'PATCH', headers: { authorization: `Bearer ${access_token}` }, body: form({ full_name: 'Changed' }, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]) }),
      );
      const answer = await inTime(patch);
      expect(answer, 'no answer within 9.5 s').not.toBe('still waiting');
      const response = answer as Response;
      expect(response.status).toBe(502);
      expect((await problemOf(response)).type).toBe('urn:problem:bad_gateway');
      // Given up by the deadline, not by anything quicker (the resolver never answers, so nothing else could end it).
      expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS);
      const now = await (await me.GET(new Request(`${BASE}/api/me`, { headers: { authorization: `Bearer ${access_token}` } }))).json();
      expect(now).toMatchObject({ full_name: 'Ada', avatar_url: user.avatar_url });
      // The id it tried is deleted after the response, which cannot connect either: that gives up as well.
      expect(await inTime(settleBackground()), 'the clean-up still running after 9.5 s').not.toBe('still waiting');
      expect(log.mock.calls.flat().join('\n')).toMatch(/deleting avatar \S+ of a failed upload failed: Cloudinary destroy failed: no answer within CLOUDINARY_TIMEOUT_MS \(1000 ms\)/);
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });

  it("gives an upload late in an invocation only what is left of the function's maxDuration, and the clean-up after it the rest", { timeout: 30_000 }, async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const signUp = await registration.POST(new Request(`${BASE}/api/register`, { method: 'POST', body: form(newAccount({ full_name: 'Ada' })) }));
      const { access_token } = (await signUp.json()) as { access_token: string };
      const patch = () =>
        me.PATCH(new Request(`${BASE}/api/me`, { method: 'PATCH', headers: { authorization: `Bearer ${access_token}` }, body: form({}, [{ bytes: tinyPng(), filename: 'a.png', type: 'image/png' }]) }));
      // Started 8.5 s ago (slow queries before the upload, say): 500 ms of the 10 s are left to
      // spend, less than CLOUDINARY_TIMEOUT_MS (1000 ms here).
      const answer = await inTime(answerFirst(patch, performance.now() - 8_500));
      expect(answer, 'no answer within 9.5 s').not.toBe('still waiting');
      expect((answer as Response).status).toBe(502);
      expect(await inTime(settleBackground()), 'the clean-up still running after 9.5 s').not.toBe('still waiting');
      const logged = log.mock.calls.flat().join('\n');
      expect(logged).toMatch(/Cloudinary upload of \S+ failed: no answer within the \d+ ms left of the function's maxDuration \(10 s\)/);
      // The clean-up comes after the upload's deadline: nothing is left, so it is not tried, and the id to delete by hand is logged.
      expect(logged).toMatch(/deleting avatar \S+ of a failed upload failed: not started \(CLOUDINARY_TIMEOUT_MS\): 0 ms left of its deadline/);
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });
});
