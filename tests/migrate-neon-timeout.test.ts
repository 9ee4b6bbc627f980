import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { resetConfig } from '../lib/config.js';
import { migrateDatabase, migrationFailure } from '../scripts/migrate-database.js';

// `npm run db:migrate` against Neon goes through the driver's WebSocket pool. A proxy that takes the
// WebSocket but never passes on the database's greeting (a compute that does not wake, a network
// that drops the rest) must fail the deploy step after DB_CONNECT_TIMEOUT_MS, not hang it.
describe('migrations over the Neon WebSocket pool', () => {
  const sockets: WebSocket[] = [];
  const http = createServer();
  const silent = new WebSocketServer({ server: http });
  silent.on('connection', (socket) => void sockets.push(socket)); // takes the WebSocket, says nothing

  beforeAll(async () => {
    await new Promise<void>((ready) => http.listen(0, '127.0.0.1', ready));
    vi.stubEnv('DATABASE_DRIVER', 'neon');
    vi.stubEnv('DATABASE_URL', 'postgresql://app:secret@ep-quiet.eu-central-1.aws.neon.tech/neondb');
    vi.stubEnv('NEON_WS_PROXY', `127.0.0.1:${(http.address() as AddressInfo).port}`);
    vi.stubEnv('DB_CONNECT_TIMEOUT_MS', '1000');
    resetConfig();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    resetConfig();
    for (const socket of sockets) socket.terminate();
    silent.close();
    await new Promise((done) => http.close(done));
  });

  it('give up connecting after DB_CONNECT_TIMEOUT_MS when the proxy takes the WebSocket but the database never answers', async () => {
    const started = performance.now();
    const outcome = await Promise.race([
      migrateDatabase().then(() => 'migrated', migrationFailure),
      new Promise((r) => setTimeout(r, 5_000, 'still waiting after 5 s')),
    ]);
    expect(outcome).toMatch(/connection timeout/i);
    expect(sockets.length).toBe(1); // it did reach the proxy: the timeout is the database's silence
    expect(performance.now() - started).toBeGreaterThan(900); // DB_CONNECT_TIMEOUT_MS was waited, not skipped
  });
});
