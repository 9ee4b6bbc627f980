/** The first (cold-start) and common-path (round-trip) request of each function. */
export interface RequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface BenchAccount {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
  /** A second account, whose password the reset requests change (so the first keeps its own). */
  resetEmail: string;
}

const BASE = 'https://auth.example.com';
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
    default:
      return { method: 'GET', url: BASE + route, headers: {} };
  }
}
