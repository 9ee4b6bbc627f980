import { CookieJar } from '../../tests/support/cookie-jar.js';
import { authorizeAtProvider } from '../../tests/support/provider-login.js';
import { BENCH_ORIGIN } from './environment.js';

/** The first (cold-start) and common-path (round-trip) request of each function. */
export interface RequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface BenchAccount {
  id: string;
  /** The login name at the OpenID provider standing in for Google, of a Google-only account. */
  googleLogin: string;
  username: string;
  email: string;
  password: string;
  token: string;
  /** A second account, whose password the reset requests change (so the first keeps its own). */
  resetEmail: string;
}

const BASE = BENCH_ORIGIN;
const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): RequestSpec => ({
  method,
  url: BASE + path,
  headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7', ...headers },
  body: JSON.stringify(body),
});

let serial = 0;

/**
 * A request for the function at `route` on its common, successful path. Reset and exchange need a
 * live one-time code, issued here first through the app's own code (so this process must have the
 * bench environment's configuration and store): one code per request, as each works once.
 */
export async function requestFor(route: string, account: BenchAccount): Promise<RequestSpec> {
  const unique = `${process.pid}_${Date.now().toString(36)}_${serial++}`;
  switch (route) {
    case '/api/register':
      return json('POST', route, { username: `b_${unique}`, email: `b_${unique}@example.com`, password: 'bench password' });
    case '/api/login':
      return json('POST', route, { username: account.username, password: account.password });
    case '/api/me':
      return { method: 'GET', url: BASE + route, headers: { authorization: `Bearer ${account.token}` } };
    case '/api/forgot-password':
      return json('POST', route, { email: account.email });
    case '/api/reset-password': {
      const { issueOtp } = await import('../../lib/otp.js');
      const otp = await issueOtp(account.resetEmail);
      return json('POST', route, { email: account.resetEmail, otp, new_password: `new bench password ${unique}` });
    }
    case '/api/google/exchange': {
      const { issueExchangeCode } = await import('../../lib/exchange-codes.js');
      return json('POST', route, { code: await issueExchangeCode({ id: account.id, tokenVersion: 0 }) });
    }
    case '/api/google/callback':
      return googleCallback(account.googleLogin);
    default:
      return { method: 'GET', url: BASE + route, headers: {} };
  }
}

/**
 * The callback of a successful "Sign in with Google" by an existing Google account: the start
 * function's redirect and state cookie, followed through the provider's login and consent forms
 * back to the callback URL with a fresh authorization code (each works once).
 */
export async function googleCallback(login: string): Promise<RequestSpec> {
  const { GET: start } = await import('../../api/google/start.js');
  const started = await start(new Request(`${BASE}/api/google/start`));
  const cookie = started.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  const url = await authorizeAtProvider(new CookieJar(), new URL(started.headers.get('location')!), BASE, login);
  return { method: 'GET', url: url.href, headers: { cookie } };
}
