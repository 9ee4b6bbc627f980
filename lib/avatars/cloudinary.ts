import { Readable } from 'node:stream';
import type { CloudinaryConfig } from '../config.js';
import type { AvatarStore } from './store.js';

/** Square, face-aware crop done by Cloudinary on upload, so only the small version is stored. */
const AVATAR_SIZE = 256;
const UPLOAD_TIMEOUT_MS = 8_000; // under the function's 10 s so a stuck upload still gets a 502

/** The part of Cloudinary's upload answer we keep. */
interface UploadResult {
  secure_url: string;
  public_id: string;
}

/**
 * Avatars on Cloudinary. The SDK is imported on the first upload or delete, never at cold start,
 * so login and the other functions do not pay for it. Credentials go with each call rather than
 * into the SDK's global configuration.
 *
 * @example const { url, key } = await cloudinaryAvatarStore(config.avatars.cloudinary!).save(image, origin);
 */
export function cloudinaryAvatarStore(config: CloudinaryConfig): AvatarStore {
  const credentials = {
    cloud_name: config.cloudName,
    api_key: config.apiKey,
    api_secret: config.apiSecret,
    ...(config.uploadPrefix ? { upload_prefix: config.uploadPrefix } : {}),
  };
  return {
    async save(image) {
      const cloudinary = await loadSdk();
      const result = await new Promise<UploadResult>((resolve, reject) => {
        const upload = cloudinary.uploader.upload_stream(
          {
            ...credentials,
            folder: config.folder,
            resource_type: 'image',
            transformation: [{ width: AVATAR_SIZE, height: AVATAR_SIZE, crop: 'fill', gravity: 'face' }],
            timeout: UPLOAD_TIMEOUT_MS,
          },
          (error, answer) => {
            if (error || !answer?.secure_url || !answer.public_id) reject(new Error(`Cloudinary upload failed: ${error ? describeSdkError(error) : 'no URL in the answer'}`));
            else resolve({ secure_url: answer.secure_url, public_id: answer.public_id });
          },
        );
        Readable.from([image.bytes]).pipe(upload);
      });
      return { url: result.secure_url, key: result.public_id };
    },
    async remove(key) {
      const cloudinary = await loadSdk();
      // The SDK's types omit the per-call credentials and timeout it accepts.
      const options = { ...credentials, resource_type: 'image', invalidate: true, timeout: UPLOAD_TIMEOUT_MS } as { resource_type: 'image' };
      const answer = (await cloudinary.uploader.destroy(key, options).catch((error: unknown) => {
        throw new Error(`Cloudinary destroy failed: ${describeSdkError(error)}`);
      })) as { result?: string };
      // "not found" means it is already gone, which is what we wanted.
      if (answer.result !== 'ok' && answer.result !== 'not found') throw new Error(`Cloudinary destroy failed: ${answer.result}`);
    },
  };
}

/**
 * The SDK rejects with plain objects, not Errors: Cloudinary's own `{message, http_code}`, or
 * `{error: {message}}` when the connection failed. Their message, for the log.
 */
function describeSdkError(error: unknown): string {
  const described = error as { message?: unknown; http_code?: unknown; error?: { message?: unknown } } | null;
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
