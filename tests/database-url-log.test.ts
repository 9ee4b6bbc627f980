import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { POST as register } from '../api/register.js';
import { resetConfig } from '../lib/config.js';
import { closeDb } from '../lib/db/client.js';
import { jsonRequest, newAccount } from './support/http.js';

// A DATABASE_URL that URL.canParse takes but the Neon driver's own parser does not (here a stray
// `%` in a *.neon.tech host; an invalid punycode label does the same): the driver's error quotes
// the whole connection string, password included.
describe('a DATABASE_URL the Neon driver cannot read', () => {
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    vi.unstubAllEnvs();
    resetConfig();
    await closeDb();
  });

  for (const url of ['postgresql://app:neon-db-password@ep-x%.eu-central-1.aws.neon.tech/neondb', 'postgresql://app:neon-db-password@xn--ab.neon.tech/neondb']) {
    it(`is refused or named without its password: ${url.replace(/:[^:@]+@/, ':***@')}`, async () => {
      vi.stubEnv('DATABASE_URL', url);
      vi.stubEnv('DATABASE_DRIVER', 'auto');
      resetConfig();
      await closeDb();
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      const response = await register(jsonRequest('/api/register', newAccount()));
      expect(response.status).toBe(500);
      const log = errors.mock.calls.flat().map(String).join('\n');
      expect(log).toMatch(/configuration error: DATABASE_URL has a host the Neon driver cannot read/);
      expect(log).not.toContain('neon-db-password');
      expect(await response.text()).not.toContain('neon-db-password');
    });
  }
});
