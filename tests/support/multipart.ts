import { randomBytes } from 'node:crypto';

/** A text field, or a file with its bytes. */
export type Part = [name: string, value: string | { bytes: Uint8Array; filename: string; type?: string }];

/**
 * A multipart/form-data body already encoded, as it arrives from a client: a Blob whose type (the
 * Content-Type a Request takes from it) carries the boundary. Encoded as the platform's FormData
 * does (undici: CRLF line breaks in values, `"`, CR and LF escaped in names and file names).
 *
 * Decision: tests send these bytes rather than a FormData object. A real request's body is a
 * byte stream; a FormData one is read through undici's own part writer, which on Node 24 (undici 7)
 * rejects unhandled when the handler cancels the body early, as every early refusal here does
 * (nodejs/undici#5835's unawaited writer) — a fault of that test-only path, not of the handlers.
 *
 * @example new Request(url, { method: 'POST', body: multipart([['username', 'ada'], ['avatar', { bytes, filename: 'a.png', type: 'image/png' }]]) })
 */
export function multipart(parts: Part[]): Blob {
  const boundary = `----formdata-test-${randomBytes(8).toString('hex')}`;
  const lines = (value: string) => value.replace(/\r?\n|\r/g, '\r\n');
  const escape = (value: string) => value.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
  const chunks: BlobPart[] = [];
  for (const [name, value] of parts) {
    const disposition = `--${boundary}\r\nContent-Disposition: form-data; name="${escape(lines(name))}"`;
    if (typeof value === 'string') {
      chunks.push(`${disposition}\r\n\r\n${lines(value)}\r\n`);
    } else {
      chunks.push(`${disposition}; filename="${escape(value.filename)}"\r\nContent-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`, new Uint8Array(value.bytes), '\r\n');
    }
  }
  chunks.push(`--${boundary}--\r\n`);
  return new Blob(chunks, { type: `multipart/form-data; boundary=${boundary}` });
}
