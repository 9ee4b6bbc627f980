import { getConfig } from './config.js';
import { problems } from './problems.js';

export type BodyKind = 'json' | 'form';

const MEDIA_TYPES: Record<BodyKind, string> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
};

/** The media type of a request without parameters, lower-cased (`""` when absent). */
export function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Reads a JSON or urlencoded body into a plain value for zod to check.
 * 415 for another content type, 413 past the size limit (counted while streaming, so a huge
 * body is never held in memory), 400 for bytes that are not UTF-8 or JSON.
 *
 * @example const input = parseInput(LoginRequest, await readBody(request, ['json', 'form']));
 */
export async function readBody(request: Request, accept: BodyKind[], limit = getConfig().bodyLimitBytes): Promise<unknown> {
  const type = mediaType(request);
  const kind = accept.find((k) => MEDIA_TYPES[k] === type);
  if (!kind) {
    throw problems.wrongMediaType(accept.map((k) => MEDIA_TYPES[k]).join(' or '));
  }
  const text = await readText(request, limit);
  if (kind === 'form') return parseForm(text);
  try {
    return JSON.parse(text);
  } catch {
    throw problems.malformedJson();
  }
}

/** The body as UTF-8 text, refusing more than `limit` bytes. */
export async function readText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > limit) throw problems.bodyTooLarge(limit);
  const bytes = await readBytes(request.body, limit);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw problems.malformedUtf8();
  }
}

async function readBytes(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    // A body that breaks off (the client went away mid-upload) is the client's doing: a 400, as
    // in lib/multipart.ts, not an unhandled error.
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw problems.bodyUnreadable();
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw problems.bodyTooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * An `application/x-www-form-urlencoded` body, strictly: a percent-escape that is not UTF-8 (a
 * Latin-1 client's `caf%E9`) is a 400, as a JSON body that is not UTF-8 is, where URLSearchParams
 * would turn it into U+FFFD, so that every such password would be the same password. A name
 * given twice keeps its last value.
 */
function parseForm(text: string): Record<string, string> {
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw problems.malformedForm();
    }
  };
  const pairs = text
    .split('&')
    .filter(Boolean)
    .map((pair): [string, string] => {
      const at = pair.indexOf('=');
      return at < 0 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
    });
  return Object.fromEntries(pairs);
}
