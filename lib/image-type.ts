/**
 * The avatar formats we accept, told apart by their first bytes ("magic numbers"). The declared
 * Content-Type and the file name are never trusted: a PNG named `.gif` is a PNG, and a text file
 * named `.png` is not an image.
 */
export type ImageType = { mime: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif'; extension: string };

const ascii = (bytes: Uint8Array, start: number, text: string) =>
  [...text].every((char, i) => bytes[start + i] === char.charCodeAt(0));

/**
 * The image type of a file from its first bytes, or undefined when it is none of PNG, JPEG, WebP, GIF.
 *
 * @example sniffImageType(bytes)?.mime // 'image/png'
 */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b)) {
    return { mime: 'image/png', extension: 'png' };
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { mime: 'image/jpeg', extension: 'jpg' };
  }
  if (bytes.length >= 6 && (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a'))) {
    return { mime: 'image/gif', extension: 'gif' };
  }
  if (bytes.length >= 12 && ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) {
    return { mime: 'image/webp', extension: 'webp' };
  }
  return undefined;
}
