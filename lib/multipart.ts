import type busboy from 'busboy';
import { unprocessable, type HttpError } from './http-errors.js';
import { problems } from './problems.js';

/** The one file a multipart form may carry, held in memory (it is at most `maxFileBytes`). */
export interface UploadedFile {
  filename: string;
  /** What the client claimed; for information only, the bytes decide the type. */
  declaredType: string;
  bytes: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  file: UploadedFile | undefined;
}

export interface MultipartRules {
  /** Text fields the form may hold; any other name is a 422. */
  fields: readonly string[];
  /** The name of the one file field. */
  fileField: string;
  maxFileBytes: number;
  /** Cap on each text field, checked while streaming. */
  maxFieldBytes: number;
}

/**
 * Parses a `multipart/form-data` Web `Request` body with busboy, enforcing the rules while the
 * bytes stream in: at most one file, in `fileField`, of at most `maxFileBytes` (413), only the
 * known text fields, each once (422). On the first violation it stops reading and cancels the
 * body, so a client sending a gigabyte is cut off after about `maxFileBytes`, not after it all.
 * busboy judges a text field only once it has ended, so the body as a whole is capped as well
 * (the file, every field and their headers): an endless field is cut off there.
 *
 * @example const { fields, file } = await readMultipart(request, { fields: ['username'], fileField: 'avatar', maxFileBytes: 2 << 20, maxFieldBytes: 1024 });
 */
export async function readMultipart(request: Request, rules: MultipartRules): Promise<MultipartForm> {
  const contentType = request.headers.get('content-type') ?? '';
  const ceiling = formCeiling(rules);
  if (Number(request.headers.get('content-length')) > ceiling) throw bodyTooLarge(ceiling, rules);

  // Loaded on the first multipart request only: JSON requests (most of them) never pay for it.
  const { default: createParser } = await import('busboy');
  let parser: busboy.Busboy;
  try {
    parser = createParser({
      headers: { 'content-type': contentType },
      // busboy counts a file that reaches `fileSize` as truncated, hence the + 1.
      // One field more than known, so that an unknown one is named by the 'field' handler first.
      limits: { files: 1, fileSize: rules.maxFileBytes + 1, fields: rules.fields.length + 1, fieldSize: rules.maxFieldBytes + 1 },
    });
  } catch {
    throw problems.multipartNoBoundary();
  }

  const form: MultipartForm = { fields: {}, file: undefined };
  let failure: HttpError | undefined;
  const fail = (error: HttpError) => (failure ??= error);
  const pending: Promise<void>[] = [];

  parser.on('field', (name, value, info) => {
    // A part without a filename is text to busboy. Empty, it is a form's "no file" and is ignored;
    // with content, the client meant a file and forgot the filename, so say that.
    if (name === rules.fileField) return value === '' ? undefined : fail(unprocessable([{ field: name, message: 'Send this as a file: a part with a filename.' }]));
    if (!rules.fields.includes(name)) return fail(unknownField(name));
    if (name in form.fields) return fail(unprocessable([{ field: name, message: 'Send this field once.' }]));
    if (info.valueTruncated) return fail(problems.fieldTooLarge(name, rules.maxFieldBytes));
    // busboy decodes text leniently: bytes that are not UTF-8 become U+FFFD, which would make every
    // such password one password. Refused, as the JSON and form readers refuse them. Decision: so is
    // a U+FFFD sent as such (it cannot be told apart here, and no one types it). A part declaring a
    // charset busboy cannot decode arrives as undefined. (A part declaring one it can, such as
    // latin1, is decoded faithfully from it.)
    if (value === undefined || value.includes('\uFFFD')) return fail(problems.multipartNotUtf8());
    form.fields[name] = value;
  });
  parser.on('file', (name, stream, info) => {
    // Destroying the parser early errors the open file stream; that is expected, not a crash.
    stream.on('error', () => {});
    if (name !== rules.fileField) {
      stream.resume();
      return fail(rules.fields.includes(name) ? unprocessable([{ field: name, message: 'Expected text, not a file.' }]) : unknownField(name));
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('limit', () => fail(tooLarge(rules)));
    pending.push(
      new Promise<void>((done) => {
        stream.on('end', () => {
          // Browsers send an empty, nameless file part when no file was chosen: that is no file.
          if (!stream.truncated && !((info.filename ?? '') === '' && chunks.length === 0)) {
            form.file = { filename: info.filename ?? '', declaredType: info.mimeType, bytes: Buffer.concat(chunks) };
          }
          done();
        });
        // A body cut off inside the file part never ends the stream: the parser errors and the
        // stream closes instead. Without this the request would wait forever (found by the fuzzer).
        stream.on('close', () => done());
      }),
    );
  });
  parser.on('filesLimit', () => fail(unprocessable([{ field: rules.fileField, message: 'Send one file at most.' }])));
  parser.on('fieldsLimit', () => fail(unprocessable([{ field: '', message: 'Too many fields.' }])));
  const closed = new Promise<void>((done) => {
    parser.on('close', done);
    parser.on('error', () => {
      fail(problems.multipartMalformed());
      done();
    });
  });

  const reader = request.body?.getReader();
  let received = 0;
  try {
    while (reader && !failure) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > ceiling) {
        fail(bodyTooLarge(ceiling, rules));
        break;
      }
      // A parser that failed never drains: stop waiting when it closes.
      if (!parser.write(value)) await Promise.race([new Promise((drained) => parser.once('drain', drained)), closed]);
    }
  } catch {
    fail(problems.bodyUnreadable());
  }
  if (failure) {
    await reader?.cancel().catch(() => {});
    parser.destroy();
    throw failure;
  }
  parser.end();
  await closed;
  await Promise.all(pending);
  if (failure) throw failure;
  return form;
}

function tooLarge(rules: MultipartRules): HttpError {
  return problems.fileTooLarge(rules.fileField, rules.maxFileBytes);
}

/** Past the cap on the whole body, declared or counted while streaming. */
function bodyTooLarge(ceiling: number, rules: MultipartRules): HttpError {
  return problems.formTooLarge(ceiling, rules.fileField, rules.maxFileBytes);
}

/** The cap on a whole form: the file, each field and room for every part's headers. */
export function formCeiling(rules: MultipartRules): number {
  return rules.maxFileBytes + (rules.fields.length + 1) * (rules.maxFieldBytes + 1024);
}

function unknownField(name: string | undefined): HttpError {
  // A part without a name has none to give: busboy passes undefined.
  return unprocessable([{ field: name ?? '', message: 'Unknown field.' }]);
}
