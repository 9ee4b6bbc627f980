import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../../api/forgot-password.js';
import { POST as login } from '../../api/login.js';
import { POST as register } from '../../api/register.js';
import { settleBackground } from '../../lib/background.js';
import { resetConfig } from '../../lib/config.js';
import { useDatabase } from '../support/database.js';
import { jsonRequest, newAccount } from '../support/http.js';
import { median } from '../../scripts/bench/stats.js';
import { Tally } from './summary.js';

const TRIES = 50;
// A forgot-password answer takes about 3 ms (no bcrypt), where scheduling noise is of the same
// order: more tries make its medians steady enough for the 10% bound.
const FORGOT_TRIES = 200;
const tally = new Tally('enumeration');

/**
 * The median of the per-pair ratios unknown/known, each pair measured back to back: load that
 * comes and goes on a shared machine then slows both sides of a pair alike and cancels out.
 */
function pairedRatio(unknown: number[], known: number[]): number {
  return median(unknown.map((u, i) => u / known[i]!));
}

/**
 * An attacker must not learn whether an account exists: same status, same body, and medians of
 * the response times within 10% of each other (a ratio measured in one interleaved run).
 */
describe('enumeration: unknown and known accounts answer alike', () => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    // bcrypt at cost 8 (~15 ms) dominates as it does in production, rather than cost 4's noise.
    process.env.BCRYPT_COST = '8';
    resetConfig();
    cleanup = await useDatabase('pglite');
  });
  afterAll(async () => {
    console.log(tally.line());
    process.env.BCRYPT_COST = '4';
    resetConfig();
    await cleanup();
  });

  afterEach(() => vi.restoreAllMocks());

  it('login compares an unknown user, and a password past 72 bytes, against a hash of the configured cost, as it does a known user (the timing below, pinned without timing)', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const compare = vi.spyOn(bcrypt, 'compare');
    for (const [username, password] of [['nobody_at_all', 'wrong password!'], [account.username, 'wrong password!'], [account.username, 'x'.repeat(73)]]) {
      expect((await login(jsonRequest('/api/login', { username, password }))).status).toBe(401);
    }
    expect(compare.mock.calls.map(([, hash]) => bcrypt.getRounds(hash as string))).toEqual([8, 8, 8]);
  });

  it('login makes a wrong password against a hash stored at a lower cost (before BCRYPT_COST was raised) cost the work of one compare at BCRYPT_COST, as an unknown user does', async () => {
    process.env.BCRYPT_COST = '5';
    resetConfig();
    const dormant = newAccount();
    expect((await register(jsonRequest('/api/register', dormant))).status).toBe(201);
    process.env.BCRYPT_COST = '8';
    resetConfig();
    const compare = vi.spyOn(bcrypt, 'compare');
    // bcrypt's work is 2^cost per compare: the sum over this login's compares.
    const work = () => compare.mock.calls.reduce((sum, [, hash]) => sum + 2 ** bcrypt.getRounds(hash as string), 0);
    for (const username of ['nobody_at_all', dormant.username, dormant.email]) {
      compare.mockClear();
      expect((await login(jsonRequest('/api/login', { username, password: 'wrong password!' }))).status).toBe(401);
      expect(work(), username).toBe(2 ** 8);
    }
    // The right password signs in with one compare at the old cost (and is then re-hashed at 8).
    compare.mockClear();
    expect((await login(jsonRequest('/api/login', { username: dormant.username, password: dormant.password }))).status).toBe(200);
    expect(work()).toBe(2 ** 5);
  });

  it(`login: unknown user vs wrong password, ${TRIES} tries each`, async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const known: number[] = [];
    const unknown: number[] = [];
    const bodies = new Set<string>();
    const statuses = new Set<number>();
    for (let i = 0; i < TRIES; i++) {
      for (const [times, username] of [[known, account.username], [unknown, `nobody_${i}`]] as const) {
        const started = performance.now();
        const response = await login(jsonRequest('/api/login', { username, password: 'wrong password!' }));
        const body = await response.text();
        times.push(performance.now() - started);
        tally.requests++;
        bodies.add(body);
        statuses.add(response.status);
      }
    }
    expect([...statuses]).toEqual([401]);
    expect(bodies.size).toBe(1);
    const ratio = pairedRatio(unknown, known);
    tally.notes.push(`login unknown/known median ${ratio.toFixed(3)}`);
    expect(Math.abs(ratio - 1)).toBeLessThan(0.1);
  });

  it(`forgot-password: unknown vs known email, ${FORGOT_TRIES} tries each`, async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const stranger = newAccount().email; // never signed up
    const known: number[] = [];
    const unknown: number[] = [];
    const bodies = new Set<string>();
    const statuses = new Set<number>();
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {}); // the dev outbox prints each code
    for (let i = 0; i < FORGOT_TRIES; i++) {
      // Alternating which goes first, so neither always follows the other's background mail.
      const pair = [[known, account.email], [unknown, stranger]] as const;
      for (const [times, email] of i % 2 ? [...pair].reverse() : pair) {
        const started = performance.now();
        const response = await forgot(jsonRequest('/api/forgot-password', { email }));
        const body = await response.text();
        times.push(performance.now() - started);
        // The mail goes out after the response; let it finish outside the timed part.
        await settleBackground();
        tally.requests++;
        bodies.add(body);
        statuses.add(response.status);
      }
    }
    quiet.mockRestore();
    expect([...statuses]).toEqual([202]);
    expect(bodies.size).toBe(1);
    const ratio = pairedRatio(unknown, known);
    tally.notes.push(`forgot unknown/known median ${ratio.toFixed(3)}`);
    expect(Math.abs(ratio - 1)).toBeLessThan(0.1);
  });
});
