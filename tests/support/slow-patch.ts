import * as me from '../../api/me.js';
import { BASE } from './http.js';

/** A PATCH whose JSON body waits for `send()`: it has read the user, and waits for its body. */
export async function slowPatch(token: string, body: unknown, extraHeaders: Record<string, string> = {}) {
  let send!: () => void;
  const gate = new Promise<void>((go) => (send = go));
  let waiting!: () => void;
  const reading = new Promise<void>((started) => (waiting = started));
  // highWaterMark 0: pulled only when the handler reads the body, so after it has read the user.
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        waiting();
        await gate;
        controller.enqueue(new TextEncoder().encode(JSON.stringify(body)));
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extraHeaders };
  const answer = me.PATCH(new Request(BASE + '/api/me', { method: 'PATCH', headers, body: stream, duplex: 'half' } as RequestInit));
  await reading;
  return { answer: () => (send(), answer) };
}
