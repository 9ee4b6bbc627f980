/** Builders for Web `Request`s, to call the `api/` method exports directly. */

export const BASE = 'http://localhost:3000';

export function jsonRequest(path: string, body: unknown, init: RequestInit & { headers?: Record<string, string> } = {}): Request {
  return new Request(BASE + path, {
    method: 'POST',
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function formRequest(path: string, fields: Record<string, string>): Request {
  return new Request(BASE + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

export function bearerRequest(path: string, token: string, method = 'GET'): Request {
  return new Request(BASE + path, { method, headers: { authorization: `Bearer ${token}` } });
}

/** Reads a problem+json answer, failing loudly when the answer is not one. */
export async function problemOf(response: Response): Promise<{ type: string; title: string; status: number; detail: string; errors?: { field: string; message: string }[] }> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) throw new Error(`expected problem+json, got ${type}: ${await response.text()}`);
  const body = await response.json();
  if (body.status !== response.status) throw new Error(`problem status ${body.status} differs from HTTP ${response.status}`);
  return body;
}

let counter = 0;
/** A fresh, valid sign-up body with unique username and email. */
export function newAccount(overrides: Record<string, unknown> = {}) {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { username: `user_${id}`, email: `user_${id}@example.com`, password: 'correct horse battery', ...overrides };
}
