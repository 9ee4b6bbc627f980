import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import busboy from 'busboy';

/**
 * A loopback stand-in for Cloudinary's upload API (`POST /v1_1/<cloud>/image/upload` and
 * `/destroy`), reached by the real SDK through `upload_prefix` in CLOUDINARY_URL. It checks what
 * Cloudinary checks (the cloud, the `api_key`, a timestamp under an hour old, and the SHA-1
 * signature of the sorted parameters with the secret), stores uploads in memory, and answers in
 * Cloudinary's shapes (`secure_url`, `public_id`, ... or `{error: {message}}`).
 */

export interface FakeAsset {
  publicId: string;
  bytes: Buffer;
  params: Record<string, string>;
}

export interface FakeCloudinary {
  url: string;
  /** `CLOUDINARY_URL` pointing the SDK here. */
  cloudinaryUrl: string;
  cloudName: string;
  apiKey: string;
  apiSecret: string;
  /** Assets stored now, by public_id. */
  assets: Map<string, FakeAsset>;
  /** Every call, accepted or not, in order. */
  calls: { action: string; status: number; publicId?: string }[];
  /** The signed parameters of every accepted destroy, in order (`invalidate`: also purge the CDN's copies). */
  destroys: Record<string, string>[];
  /**
   * The next `action` call answers `status` with a Cloudinary error (or drops the connection for
   * 0); with `afterStoring`, an upload is stored first, as when only the answer was lost; `message`
   * is the error's message (else 'Simulated Cloudinary failure'); with `result`, a destroy answers
   * 200 `{result}` instead, deleting nothing (a result other than "ok" and "not found").
   */
  failNext(action: 'upload' | 'destroy', status?: number, options?: { afterStoring?: boolean; message?: string; result?: string }): void;
  /** Runs before an upload is answered (e.g. to make a username race happen meanwhile). */
  beforeUploadAnswer: (() => Promise<void>) | undefined;
  /** Runs before a destroy is answered (e.g. to hold it until the caller's response is in). */
  beforeDestroyAnswer: (() => Promise<void>) | undefined;
  close(): Promise<void>;
}

const EXCLUDED_FROM_SIGNATURE = new Set(['file', 'cloud_name', 'resource_type', 'api_key', 'signature']);

/** Cloudinary's signature: `k=v` pairs sorted by name, joined by `&` (an `&` inside escaped), + secret. */
export function cloudinarySignature(params: Record<string, string>, secret: string): string {
  const payload = Object.entries(params)
    .filter(([key, value]) => !EXCLUDED_FROM_SIGNATURE.has(key) && value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`.replace(/&/g, '%26'))
    .join('&');
  return createHash('sha1').update(payload + secret).digest('hex');
}

export async function startFakeCloudinary(): Promise<FakeCloudinary> {
  const cloudName = 'fake-cloud';
  const apiKey = String(100000000000000 + Math.floor(Math.random() * 1e9));
  const apiSecret = randomBytes(18).toString('base64url');
  const failures: { action: string; status: number; afterStoring?: boolean; message?: string; result?: string }[] = [];

  const fake: FakeCloudinary = {
    url: '',
    cloudinaryUrl: '',
    cloudName,
    apiKey,
    apiSecret,
    assets: new Map(),
    calls: [],
    destroys: [],
    failNext: (action, status = 500, options = {}) => void failures.push({ action, status, ...options }),
    beforeUploadAnswer: undefined,
    beforeDestroyAnswer: undefined,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };

  const answer = (res: ServerResponse, action: string, status: number, body: unknown, publicId?: string) => {
    fake.calls.push({ action, status, ...(publicId ? { publicId } : {}) });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, action: string, status: number, message: string) => answer(res, action, status, { error: { message } });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/v1_1\/([^/]+)\/image\/(upload|destroy)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return error(res, 'unknown', 404, 'Resource not found');
    const action = match[2]!;
    const { params, file } = await readForm(req);
    const index = failures.findIndex((f) => f.action === action);
    const failure = index >= 0 ? failures.splice(index, 1)[0] : undefined;
    const fail = (status: number) => (status === 0 ? void req.socket.destroy() : error(res, action, status, failure?.message ?? 'Simulated Cloudinary failure'));
    if (failure?.result !== undefined) return answer(res, action, 200, { result: failure.result }, params.public_id);
    if (failure && !failure.afterStoring) return fail(failure.status);
    if (match[1] !== cloudName) return error(res, action, 401, 'Invalid cloud_name ' + match[1]);
    if (params.api_key !== apiKey) return error(res, action, 401, 'Unknown API key ' + (params.api_key ?? ''));
    const timestamp = Number(params.timestamp);
    if (!Number.isInteger(timestamp)) return error(res, action, 400, 'Missing required parameter - timestamp');
    if (Math.abs(Date.now() / 1000 - timestamp) > 3600) return error(res, action, 400, `Stale request - reported time is ${timestamp}`);
    const expected = cloudinarySignature(params, apiSecret);
    if (params.signature !== expected) return error(res, action, 401, `Invalid Signature ${params.signature ?? ''}.`);

    if (action === 'destroy') {
      await fake.beforeDestroyAnswer?.();
      fake.destroys.push(params);
      const existed = fake.assets.delete(params.public_id ?? '');
      return answer(res, action, 200, { result: existed ? 'ok' : 'not found' }, params.public_id);
    }
    if (!file || file.length === 0) return error(res, action, 400, 'Missing required parameter - file');
    const format = sniffFormat(file);
    if (!format || !complete(file, format)) return error(res, action, 400, 'Invalid image file');
    const publicId = [params.folder, params.public_id ?? randomBytes(10).toString('hex')].filter(Boolean).join('/');
    await fake.beforeUploadAnswer?.();
    fake.assets.set(publicId, { publicId, bytes: file, params });
    if (failure) return fail(failure.status);
    const version = Math.floor(Date.now() / 1000);
    const path = `${cloudName}/image/upload/v${version}/${publicId}.${format}`;
    return answer(
      res,
      action,
      200,
      {
        asset_id: randomBytes(16).toString('hex'),
        public_id: publicId,
        version,
        signature: createHash('sha1').update(`public_id=${publicId}&version=${version}${apiSecret}`).digest('hex'),
        width: 256,
        height: 256,
        format,
        resource_type: 'image',
        created_at: new Date().toISOString(),
        bytes: file.length,
        type: 'upload',
        url: `http://res.cloudinary.com/${path}`,
        secure_url: `https://res.cloudinary.com/${path}`,
        folder: params.folder ?? '',
      },
      publicId,
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => error(res, 'unknown', 400, 'Malformed request'));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  fake.url = `http://127.0.0.1:${port}`;
  fake.cloudinaryUrl = `cloudinary://${apiKey}:${apiSecret}@${cloudName}?upload_prefix=${encodeURIComponent(fake.url)}`;
  return fake;
}

function readForm(req: IncomingMessage): Promise<{ params: Record<string, string>; file: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    const params: Record<string, string> = {};
    let file: Buffer | undefined;
    const parser = busboy({ headers: req.headers });
    parser.on('field', (name, value) => (params[name] = value));
    parser.on('file', (_name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => (file = Buffer.concat(chunks)));
    });
    parser.on('close', () => resolve({ params, file }));
    parser.on('error', reject);
    req.pipe(parser);
  });
}

/**
 * Cloudinary decodes the whole file; short of that, a file must at least hold its format's end
 * (PNG's IEND chunk, JPEG's EOI marker, GIF's trailer, the whole RIFF length of a WebP), as a
 * decoder reads up to it (and, like one, ignores what follows): an image's first bytes followed
 * by anything else are refused, as Cloudinary refuses them.
 */
function complete(bytes: Buffer, format: string): boolean {
  if (format === 'png') return bytes.includes(Buffer.from('0000000049454e44ae426082', 'hex'));
  if (format === 'jpg') return bytes.includes(Buffer.from('ffd9', 'hex'), 2);
  if (format === 'gif') return bytes.includes(0x3b, 13);
  return bytes.length >= 12 && bytes.readUInt32LE(4) + 8 <= bytes.length;
}

function sniffFormat(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  if (bytes.subarray(0, 3).toString('latin1') === 'GIF') return 'gif';
  if (bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return undefined;
}
