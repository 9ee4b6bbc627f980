import { expect } from 'vitest';
import * as callback from '../../api/google/callback.js';
import * as exchange from '../../api/google/exchange.js';
import * as start from '../../api/google/start.js';
import * as login from '../../api/login.js';
import * as me from '../../api/me.js';
import * as register from '../../api/register.js';
import { resetConfig } from '../../lib/config.js';
import { startAppServer } from './app-server.js';
import { CookieJar } from './cookie-jar.js';
import { startOidcProvider, type OidcProvider } from './oidc-provider.js';

export { authorizeAtProvider } from './provider-login.js';

export const CLIENT = { clientId: 'google-test-client', clientSecret: 'google-test-client-secret-0123456789' };

export const GOOGLE_ENV = [
  'GOOGLE_CLIENT_ID',
  'GOOGLE_CLIENT_SECRET',
  'GOOGLE_REDIRECT_URI',
  'GOOGLE_AUTH_URL',
  'GOOGLE_TOKEN_URL',
  'GOOGLE_JWKS_URL',
  'GOOGLE_ISSUER',
] as const;

export interface GoogleRig {
  app: { url: string; close: () => Promise<void> };
  provider: OidcProvider;
  close: () => Promise<void>;
}

/**
 * The app's Google and account endpoints on loopback HTTP, and a real OpenID provider standing in
 * for Google, wired together through the GOOGLE_* overrides. `extra` serves other paths of the app
 * server (the browser test's frontend page).
 */
export async function startGoogleRig(extra?: (path: string) => Response | undefined): Promise<GoogleRig> {
  const app = await startAppServer(
    {
      '/api/google/start': start,
      '/api/google/callback': callback,
      '/api/google/exchange': exchange,
      '/api/login': login,
      '/api/me': me,
      '/api/register': register,
    },
    extra,
  );
  const provider = await startOidcProvider({ ...CLIENT, redirectUris: [`${app.url}/api/google/callback`] });
  Object.assign(process.env, {
    GOOGLE_CLIENT_ID: CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: CLIENT.clientSecret,
    GOOGLE_AUTH_URL: provider.authorizationUrl,
    GOOGLE_TOKEN_URL: provider.tokenUrl,
    GOOGLE_JWKS_URL: provider.jwksUrl,
    GOOGLE_ISSUER: provider.issuer,
  });
  resetConfig();
  return {
    app,
    provider,
    close: async () => {
      for (const name of GOOGLE_ENV) delete process.env[name];
      resetConfig();
      await provider.close();
      await app.close();
    },
  };
}

/** Where the callback sent the browser: the frontend URL and its `code` or `error`. */
export async function followCallback(jar: CookieJar, callbackUrl: URL): Promise<{ location: URL; code: string | null; error: string | null; response: Response }> {
  const response = await jar.fetch(callbackUrl);
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  return { location, code: location.searchParams.get('code'), error: location.searchParams.get('error'), response };
}
