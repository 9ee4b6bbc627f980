import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { runAfterResponse } from '../background.js';
import type { CloudinaryConfig } from '../config.js';
import { CONNECT_CODES } from '../db/unavailable.js';
import { deadline } from '../deadline.js';
import { within } from '../within.js';
import { AvatarTooManyPixelsError, AvatarUnreadableError, AvatarUploadUnconfirmedError, type AvatarStore } from './store.js';

/** Square, face-aware crop done by Cloudinary on upload, so only the small version is stored. */
const AVATAR_SIZE = 256;
// Each call's deadline is config.timeoutMs (CLOUDINARY_TIMEOUT_MS, default 8 s: under the function's
// 10 s, so a stuck upload still gets a 502), or the time left of the invocation when that is less
// (lib/deadline.ts: an upload after slow queries, a clean-up after the response). Applied with
// `within`: the SDK's own `timeout` is Node's request.setTimeout, an idle timer that starts only
// once the socket has connected, so a connection that never opens (a partition dropping packets, a
// resolver that never answers) would otherwise wait for the operating system's connect timeout,
// minutes past the limit.

/** The part of Cloudinary's upload answer we keep. */
interface UploadResult {
  secure_url: string;
  public_id: string;
}

/** How the SDK rejects: Cloudinary's own `{message, http_code}`, or `{error: {message}}` when the connection failed. */
type SdkError = { message?: unknown; http_code?: unknown; error?: { message?: unknown } } | null;

/**
 * Avatars on Cloudinary. The SDK is imported on the first upload or delete, never at cold start,
 * so login and the other functions do not pay for it. Credentials go with each call rather than
 * into the SDK's global configuration.
 *
 * @example const { url, key } = await cloudinaryAvatarStore(config.avatars.cloudinary!).save(image);
 */
export function cloudinaryAvatarStore(config: CloudinaryConfig): AvatarStore {
  const credentials = {
    cloud_name: config.cloudName,
    api_key: config.apiKey,
    api_secret: config.apiSecret,
    ...(config.uploadPrefix ? { upload_prefix: config.uploadPrefix } : {}),
  };
  const late = (name: string) => new Error(`no answer within ${name}`);
  const limit = () => deadline('CLOUDINARY_TIMEOUT_MS', config.timeoutMs);
  /** Deletes `key`; answers false when Cloudinary had nothing under it ("not found"). */
  async function destroy(key: string): Promise<boolean> {
    const cloudinary = await loadSdk();
    const until = limit();
    // The SDK's types omit the per-call credentials and timeout it accepts.
    const options = { ...credentials, resource_type: 'image', invalidate: true, timeout: until.ms } as { resource_type: 'image' };
    const answer = (await within(until, cloudinary.uploader.destroy(key, options), late).catch((error: unknown) => {
      throw new Error(`Cloudinary destroy failed: ${describeSdkError(error)}`);
    })) as { result?: string };
    if (answer.result !== 'ok' && answer.result !== 'not found') throw new Error(`Cloudinary destroy failed: ${answer.result}`);
    return answer.result === 'ok';
  }
  // "not found" means it is already gone, which is what we wanted.
  const remove = async (key: string) => void (await destroy(key));
  /** After a failed upload. Nothing there yet may only mean the upload is still on its way. */
  const removeFailedUpload = async (key: string) => {
    if (!(await destroy(key))) console.warn(`avatar ${key}: nothing to delete after its failed upload; if that upload lands late, ${key} is an orphan to delete by hand`);
  };

  return {
    remove,
    async save(image) {
      const cloudinary = await loadSdk();
      // Decision: the public_id is chosen here, not by Cloudinary, so that an upload whose answer
      // never came (a timeout, a dropped connection after Cloudinary stored it) can still be
      // deleted. The folder goes into the id, which names the asset the same way whether the
      // account uses fixed or dynamic folders.
      const publicId = [config.folder, randomBytes(12).toString('hex')].filter(Boolean).join('/');
      const until = limit();
      const uploaded = new Promise<UploadResult>((resolve, reject) => {
        const upload = cloudinary.uploader.upload_stream(
          {
            ...credentials,
            public_id: publicId,
            resource_type: 'image',
            transformation: [{ width: AVATAR_SIZE, height: AVATAR_SIZE, crop: 'fill', gravity: 'face' }],
            timeout: until.ms,
          },
          (error, answer) => {
            if (!error && answer?.secure_url && answer.public_id) resolve({ secure_url: answer.secure_url, public_id: answer.public_id });
            else reject(error ?? new Error('no URL in the answer'));
          },
        );
        Readable.from([image.bytes]).pipe(upload);
      });
      const result = await within(until, uploaded, late).catch((error: unknown) => {
        // Cloudinary decodes the whole file; one with an image's first bytes and junk after them is refused.
        if (isUnreadableImage(error)) throw new AvatarUnreadableError(describeSdkError(error));
        if (hasTooManyPixels(error)) throw new AvatarTooManyPixelsError(describeSdkError(error));
        // Otherwise it may have been stored all the same: delete it by its id, after the response.
        runAfterResponse(`deleting avatar ${publicId} of a failed upload`, () => removeFailedUpload(publicId)); // a failure is logged with the id
        const failed = `Cloudinary upload of ${publicId} failed: ${describeSdkError(error)}`;
        throw uploadMayHaveRun(error) ? new AvatarUploadUnconfirmedError(failed) : new Error(failed);
      });
      return { url: result.secure_url, key: result.public_id };
    },
  };
}

/**
 * Whether a failed upload may have reached Cloudinary and been processed (for the avatar limit:
 * see AvatarUploadUnconfirmedError). Not when Cloudinary itself answered an error, its word that it
 * did not take the upload, nor when no connection was made or TLS failed. Yes when no answer came:
 * the deadline passed (ours, or the SDK's idle timeout, which it reports as HTTP 499), the
 * connection dropped, or a gateway in front of Cloudinary answered instead (502 to 504).
 * Decision: our deadline passing counts as "may have run" even when it passed while connecting,
 * which cannot be told apart from here; during such an outage retries spend the upload limit.
 */
function uploadMayHaveRun(error: unknown): boolean {
  const described = error as SdkError & { code?: unknown };
  const httpCode = described?.http_code;
  if (typeof httpCode === 'number') return httpCode === 499 || (httpCode >= 502 && httpCode <= 504);
  const code = typeof described?.code === 'string' ? described.code : '';
  return !(CONNECT_CODES.has(code) || code.startsWith('ERR_TLS_') || code.includes('CERT'));
}

/** Cloudinary's answer to a file it could not decode: 400 "Invalid image file". */
function isUnreadableImage(error: unknown): boolean {
  const described = error as SdkError;
  return described?.http_code === 400 && typeof described.message === 'string' && /invalid image file/i.test(described.message);
}

/**
 * Cloudinary's 400 for an image past the account's megapixel limits, which it checks before it
 * stores anything: "Maximum image size is 25 Megapixels. Requested 33.6 Megapixels", or for an
 * animated one "Maximum total number of pixels in all frames/pages is 50 Megapixels. Requested …".
 * A file of a few hundred KiB can hold that many (a simple animation, a large flat screenshot).
 */
function hasTooManyPixels(error: unknown): boolean {
  const described = error as SdkError;
  return described?.http_code === 400 && typeof described.message === 'string' && /megapixels/i.test(described.message);
}

/** The SDK rejects with plain objects, not Errors (see `SdkError`). Their message, for the log. */
function describeSdkError(error: unknown): string {
  const described = error as SdkError;
  const message = described?.message ?? described?.error?.message;
  if (typeof message !== 'string') return String(error);
  return typeof described?.http_code === 'number' ? `${message} (HTTP ${described.http_code})` : message;
}

/**
 * The SDK is CommonJS, which importers expose differently: Node gives the named export and
 * `default` (its `module.exports`), esbuild's code-split chunks only `default`
 * (evanw/esbuild#3245), tsx only the named export. So both are tried.
 */
async function loadSdk() {
  const sdk = await import('cloudinary');
  return sdk.v2 ?? sdk.default.v2;
}
