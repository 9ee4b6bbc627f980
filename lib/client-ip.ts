/**
 * The client's IP address, for per-IP rate limits.
 *
 * Decision: read `x-real-ip`, then the first entry of `x-forwarded-for`. On Vercel both are set
 * by the platform's edge, which overwrites whatever the client sent, so neither can be forged
 * there; the local dev server (scripts/dev-server.ts) does the same from the socket. Behind any
 * other proxy this must be revisited, because there a client could send its own values.
 * A request with neither (a handler called directly, as in tests) shares the bucket "unknown".
 *
 * @example const ip = clientIp(request);
 */
export function clientIp(request: Request): string {
  const real = request.headers.get('x-real-ip')?.trim();
  if (real) return real;
  const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded || 'unknown';
}
