import { describe, expect, it } from 'vitest';
import { readBody } from '../lib/body.js';
import { HttpError } from '../lib/http-errors.js';

const LIMIT = 1024;
const post = (contentType: string, body: BodyInit) => new Request('http://localhost/api/x', { method: 'POST', headers: { 'content-type': contentType }, body });
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof HttpError ? { status: error.status, code: error.code } : error),
  );

describe('reading a JSON or form body', () => {
  it('takes the media type in any letter case, with parameters', async () => {
    expect(await readBody(post('Application/JSON; charset=UTF-8', '{"a":1}'), ['json'], LIMIT)).toEqual({ a: 1 });
  });

  it('takes white space before the parameters of the media type', async () => {
    expect(await readBody(post('application/json ; charset=utf-8', '{"a":1}'), ['json'], LIMIT)).toEqual({ a: 1 });
  });

  it('reads JSON that starts with a UTF-8 byte order mark (as some Windows clients send it)', async () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"a":1}')]);
    expect(await readBody(post('application/json', withBom), ['json'], LIMIT)).toEqual({ a: 1 });
  });

  it('refuses bytes that are not UTF-8 with a 400, rather than reading them as replacement characters', async () => {
    expect(await refusal(readBody(post('application/json', new Uint8Array([0x22, 0xff, 0xfe, 0x22])), ['json'], LIMIT))).toEqual({ status: 400, code: 'malformed_body' });
  });

  it('reads a form strictly: percent-encoded UTF-8 decodes, a Latin-1 escape is a 400 (not a replacement character)', async () => {
    const form = (body: string) => readBody(post('application/x-www-form-urlencoded', body), ['form'], LIMIT);
    expect(await form('username=ada+l&password=caf%C3%A9+secret&password=last&__proto__=x&flag')).toEqual({ username: 'ada l', password: 'last', ['__proto__']: 'x', flag: '' });
    expect(Object.getPrototypeOf(await form('__proto__=x'))).toBe(Object.prototype);
    expect(await refusal(form('password=caf%E9-secret'))).toEqual({ status: 400, code: 'malformed_body' });
    expect(await refusal(form('password=%zz'))).toEqual({ status: 400, code: 'malformed_body' });
    // Empty pairs (a trailing or doubled &) are nothing, not a field named "" that a strict schema refuses.
    expect(await form('&username=ada&&password=x&')).toEqual({ username: 'ada', password: 'x' });
    // A raw "=" after the first belongs to the value (curl -d 'password=ab=cd', a base64-style password).
    expect(await form('username=ada&password=ab=cd==')).toEqual({ username: 'ada', password: 'ab=cd==' });
  });

  it('takes only the media types it names: one that merely starts the same (application/jsonx, application/json-seq) is a 415', async () => {
    for (const type of ['application/jsonx', 'application/json-seq', 'application/x-www-form-urlencodedx']) {
      expect(await refusal(readBody(post(type, '{"a":1}'), ['json', 'form'], LIMIT)), type).toEqual({ status: 415, code: 'unsupported_media_type' });
    }
  });

  it('takes a body that declares exactly the limit in Content-Length; one byte more declared is a 413 unread', async () => {
    const sized = (size: number) =>
      new Request('http://localhost/api/x', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(size) }, body: JSON.stringify('x'.repeat(size - 2)) });
    expect(await readBody(sized(LIMIT), ['json'], LIMIT)).toBe('x'.repeat(LIMIT - 2));
    expect(await refusal(readBody(sized(LIMIT + 1), ['json'], LIMIT))).toEqual({ status: 413, code: 'payload_too_large' });
  });

  it('refuses a form where only JSON is taken (415), and JSON that does not parse (400)', async () => {
    expect(await refusal(readBody(post('application/x-www-form-urlencoded', 'code=abc'), ['json'], LIMIT))).toEqual({ status: 415, code: 'unsupported_media_type' });
    expect(await refusal(readBody(post('application/json', '{'), ['json'], LIMIT))).toEqual({ status: 400, code: 'malformed_json' });
  });

  it('answers 413 from a declared Content-Length past the limit without reading a body that never ends', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const request = new Request('http://localhost/api/x', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(LIMIT * 100) },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    expect(await refusal(readBody(request, ['json'], LIMIT))).toEqual({ status: 413, code: 'payload_too_large' });
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('takes a streamed body of exactly the limit, and refuses one byte more with a 413, cancelling the rest', async () => {
    const streamed = (size: number, onCancel = () => {}) => {
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.close();
          sent = true;
          controller.enqueue(new TextEncoder().encode(JSON.stringify('x'.repeat(size - 2))));
        },
        cancel: onCancel,
      });
      return new Request('http://localhost/api/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    };
    expect(await readBody(streamed(LIMIT), ['json'], LIMIT)).toBe('x'.repeat(LIMIT - 2));
    let cancelled = false;
    const tooLarge = streamed(LIMIT + 1, () => {
      cancelled = true;
    });
    expect(await refusal(readBody(tooLarge, ['json'], LIMIT))).toEqual({ status: 413, code: 'payload_too_large' });
    expect(cancelled).toBe(true);
  });
});
