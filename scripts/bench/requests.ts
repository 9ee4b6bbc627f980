/** The first (cold-start) and common-path (round-trip) request of each function. */
export interface RequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface BenchAccount {
  username: string;
  email: string;
  password: string;
  token: string;
}

const BASE = 'https://auth.example.com';
const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): RequestSpec => ({
  method,
  url: BASE + path,
  headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7', ...headers },
  body: JSON.stringify(body),
});

let serial = 0;

/** A request for the function at `route`, on its common (successful) path where it has one. */
export function requestFor(route: string, account: BenchAccount): RequestSpec {
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
    case '/api/reset-password':
      return json('POST', route, { email: account.email, otp: '000000', new_password: 'another bench password' });
    case '/api/google/exchange':
      return json('POST', route, { code: 'unknown-code' });
    default:
      return { method: 'GET', url: BASE + route, headers: {} };
  }
}
