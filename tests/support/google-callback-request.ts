import { GET as start } from '../../api/google/start.js';

/**
 * The callback request a (localhost) browser makes after `/api/google/start`, with its sign-in
 * cookie, and `extra` query parameters. Its `code` is the flow's nonce: a stand-in token endpoint
 * can put it into the ID token it answers with.
 */
export async function callbackRequestAfterStart(extra: Record<string, string> = {}): Promise<Request> {
  const started = await start(new Request('http://localhost:3000/api/google/start'));
  const cookie = started.headers.getSetCookie()[0]!.split(';')[0]!;
  const authorization = new URL(started.headers.get('location')!).searchParams;
  const url = new URL('http://localhost:3000/api/google/callback');
  url.searchParams.set('state', authorization.get('state')!);
  url.searchParams.set('code', authorization.get('nonce')!);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  return new Request(url, { headers: { cookie } });
}
