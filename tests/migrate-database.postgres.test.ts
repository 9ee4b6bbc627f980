import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetConfig } from '../lib/config.js';
import { migrateDatabase, migrationFailure } from '../scripts/migrate-database.js';
import { useDatabase } from './support/database.js';
import { postgresAvailable } from './support/services.js';

// DB_QUERY_TIMEOUT_MS is a request's deadline; a migration (an index built on a large table, a
// lock held by a running function) may rightly take longer, and giving it up would leave an
// operator with a failed deploy step.
describe.skipIf(!(await postgresAvailable()))('migrations over node-postgres', () => {
  let cleanup = async () => {};
  beforeAll(async () => {
    cleanup = await useDatabase('pg', { env: { DB_QUERY_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    await cleanup();
    delete process.env.DB_QUERY_TIMEOUT_MS;
    resetConfig();
  });

  it('are not given up after DB_QUERY_TIMEOUT_MS: one waiting on a lock for longer still completes', async () => {
    const locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE drizzle.__drizzle_migrations IN ACCESS EXCLUSIVE MODE');
      const unlocked = new Promise((r) => setTimeout(r, 1_000)).then(() => locker.query('COMMIT'));
      const started = performance.now();
      await migrateDatabase();
      expect(performance.now() - started).toBeGreaterThan(900); // it did wait for the lock
      await unlocked;
    } finally {
      await locker.end();
    }
  });

  it('give up connecting after DB_CONNECT_TIMEOUT_MS to a host that accepts but never answers, instead of hanging the deploy step', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)); // takes the connection, says nothing
    await new Promise<void>((ready) => silent.listen(0, '127.0.0.1', ready));
    vi.stubEnv('DATABASE_URL', `postgres://postgres@127.0.0.1:${(silent.address() as AddressInfo).port}/nothing`);
    resetConfig();
    try {
      const outcome = await Promise.race([
        migrateDatabase().then(() => 'migrated', migrationFailure),
        new Promise((r) => setTimeout(r, 5_000, 'still waiting after 5 s')),
      ]);
      expect(outcome).toMatch(/connection timeout/i); // DB_CONNECT_TIMEOUT_MS is 2000 by default
    } finally {
      vi.unstubAllEnvs();
      resetConfig();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
