import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { POST as register } from '../api/register.js';
import { resetConfig } from '../lib/config.js';
import { closeDb } from '../lib/db/client.js';
import { jsonRequest, newAccount } from './support/http.js';

// A DATABASE_URL that URL.canParse takes but the Neon driver's own parser does not (here a stray
// `%` in a *.neon.tech host; an invalid punycode label does the same on Node 20): the driver's error
// quotes the whole connection string, password included. The check asks this runtime's URL parser,
// as the driver does: Node 24's reads `xn--ab` as a host, so there the URL is let through and the
// request fails as an unreachable database (503) instead; either way the password is never shown.
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
      const log = errors.mock.calls.flat().map(String).join('\n');
      if (URL.canParse(url.replace(/^postgresql:/, 'http:'))) {
        expect(response.status).toBe(503);
        expect(log).not.toMatch(/configuration error/);
      } else {
        expect(response.status).toBe(500);
        expect(log).toMatch(/configuration error: DATABASE_URL has a host the Neon driver cannot read/);
      }
      expect(log).not.toContain('neon-db-password');
      expect(await response.text()).not.toContain('neon-db-password');
    });
  }
});
