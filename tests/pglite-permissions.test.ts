import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetConfig } from '../lib/config.js';
import { closeDb, getDb } from '../lib/db/client.js';

// The embedded database's folder holds every account's email and password hash: like the outbox
// (0700) and secrets.json (0600) beside it, only its owner may read it, whatever the umask.
describe('the embedded database folder', () => {
  afterEach(async () => {
    await closeDb();
    vi.unstubAllEnvs();
    resetConfig();
  });

  for (const existing of [false, true]) {
    it(`is readable by its owner only (${existing ? 'a folder made before, 0755' : 'made now'})`, async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'pglite-mode-')), 'pglite');
      if (existing) mkdirSync(dir, { mode: 0o755 });
      vi.stubEnv('DATABASE_DRIVER', 'pglite');
      vi.stubEnv('PGLITE_DATA_DIR', dir);
      resetConfig();
      await closeDb();
      await (await getDb()).execute('select 1');
      expect((statSync(dir).mode & 0o777).toString(8)).toBe('700');
    });
  }
});
