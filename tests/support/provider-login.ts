import type { CookieJar } from './cookie-jar.js';

// No vitest here: the bench (scripts/bench) signs in through the provider too.

function decodeHtml(text: string): string {
  return text.replace(/&#x2F;|&#47;/gi, '/').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

/**
 * Follows the provider's redirects from the authorization URL, filling its login form with
 * `login` (any password) and its consent form, or pressing Cancel when `deny`, until the provider
 * redirects back to the app. Returns that callback URL (not yet fetched).
 */
export async function authorizeAtProvider(jar: CookieJar, authorizationUrl: URL, appUrl: string, login: string, options: { deny?: boolean } = {}): Promise<URL> {
  let url = authorizationUrl;
  for (let step = 0; step < 20; step++) {
    const response = await jar.fetch(url);
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url);
      if (url.origin === appUrl) return url;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`the provider answered ${response.status} at ${url}: ${html}`);
    const action = decodeHtml(/<form[^>]*action="([^"]+)"/.exec(html)![1]!);
    if (options.deny) {
      url = new URL(`${action}/abort`, url);
      continue;
    }
    const prompt = /name="prompt" value="(\w+)"/.exec(html)![1]!;
    const fields: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt };
    const posted = await jar.fetch(new URL(action, url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    url = new URL(posted.headers.get('location')!, url);
  }
  throw new Error('the provider never redirected back to the app');
}
