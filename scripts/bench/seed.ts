import type { OidcProvider } from '../../tests/support/oidc-provider.js';
import { BENCH_ORIGIN } from './environment.js';
import { googleCallback, type BenchAccount } from './requests.js';

/**
 * Signs up the bench's accounts through the real handlers (in this process's environment): two
 * with a password, and one through "Sign in with Google" at `provider`, so that later callbacks
 * take the common path of signing in an existing account.
 */
export async function seedAccount(provider: OidcProvider): Promise<BenchAccount> {
  const { migrateDatabase } = await import('../migrate-database.js');
  await migrateDatabase();
  const main = await signUp('bench');
  const other = await signUp('bench_reset');
  const googleLogin = `google_${main.username}`;
  provider.setAccount(googleLogin, { email: `${googleLogin}@example.com`, email_verified: true, name: 'Bench Google' });
  const { GET: callback } = await import('../../api/google/callback.js');
  const spec = await googleCallback(googleLogin);
  const signedUp = await callback(new Request(spec.url, { headers: spec.headers }));
  const location = new URL(signedUp.headers.get('location') ?? 'http://none/');
  if (!location.searchParams.get('code')) throw new Error(`seeding the Google account failed: ${signedUp.status} ${location}`);
  return { ...main, googleLogin, resetEmail: other.email };
}

async function signUp(prefix: string): Promise<Omit<BenchAccount, 'resetEmail' | 'googleLogin'>> {
  const { POST: register } = await import('../../api/register.js');
  const id = `${process.pid}_${Date.now().toString(36)}`;
  const account = { username: `${prefix}_${id}`, email: `${prefix}_${id}@example.com`, password: 'bench password' };
  const response = await register(
    new Request(`${BENCH_ORIGIN}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' },
      body: JSON.stringify(account),
    }),
  );
  if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  const { access_token, user } = (await response.json()) as { access_token: string; user: { id: string } };
  return { ...account, id: user.id, token: access_token };
}
