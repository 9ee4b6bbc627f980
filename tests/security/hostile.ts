import fc from 'fast-check';

/** Strings that break naive code: control and bidi characters, combining marks, lone surrogates, injections. */
export const edgeString = fc.constantFrom(
  '',
  '\u0000',
  'a\u0000b',
  '\u202Eevil\u202C',
  '\u200B',
  'e\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦',
  '\uD800',
  '\uDFFF',
  '\uFFFE',
  'İ',
  'ß',
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  '../../etc/passwd',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '%00%ff',
  '__proto__',
  'constructor',
  ' '.repeat(300),
  'x'.repeat(5000),
  '١٢٣٤٥٦',
);

export const hostileString = fc.oneof(
  edgeString,
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ minLength: 70, maxLength: 80 }),
);

/** Any JSON-ish value, including deep nesting and wrong types where strings belong. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 4 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  fc.integer({ min: 50, max: 3000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
);

/**
 * An object with each of `fields` valid, hostile or missing, plus sometimes extra and
 * prototype-pollution keys.
 */
export function hostileObject(valid: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(valid).map(([key, arb]) => fc.option(fc.oneof(arb, hostileValue), { nil: undefined }).map((v) => [key, v] as const));
  return fc
    .tuple(fc.tuple(...entries), fc.subarray(['__proto__', 'constructor', 'prototype', 'is_admin', 'extra']), hostileValue)
    .map(([pairs, extraKeys, extraValue]) => {
      const object: Record<string, unknown> = {};
      for (const [k, v] of pairs) if (v !== undefined) object[k] = v;
      for (const k of extraKeys) Object.defineProperty(object, k, { value: extraValue, enumerable: true, writable: true, configurable: true });
      return object;
    });
}

/** A raw body: JSON of a hostile object, or bytes that are not JSON at all. */
export function hostileBody(valid: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.record(valid).map((o) => JSON.stringify(o)) },
    { weight: 6, arbitrary: hostileObject(valid).map((o) => JSON.stringify(o)) },
    hostileString,
    fc.constant('{"username":"a","username":"b","password":"x","password":"y"}'),
    fc.constant('['.repeat(20_000)),
    fc.constant(new Uint8Array([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])), // overlong "/" in a key
    fc.constant(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), // BOM + {}
    fc.uint8Array({ maxLength: 200 }),
  );
}

/**
 * A multipart body that is broken or hostile: a boundary other than the declared one, no closing
 * boundary, unknown fields, several files, garbage bytes as a file, huge part headers.
 */
export const hostileMultipart: fc.Arbitrary<{ contentType: string; body: Uint8Array }> = fc
  .record({
    declared: fc.constantFrom('XyZ', '', '"quoted"', 'a'.repeat(80), 'x y'),
    used: fc.constantFrom('XyZ', 'other', ''),
    parts: fc.array(
      fc.record({
        name: fc.oneof(fc.constantFrom('username', 'email', 'password', 'full_name', 'avatar', 'is_admin', '__proto__'), hostileString),
        filename: fc.option(fc.oneof(fc.constantFrom('a.png', 'a.gif', '../../x.png', ''), hostileString), { nil: undefined }),
        type: fc.constantFrom('image/png', 'text/plain', 'application/octet-stream', ''),
        value: fc.oneof(hostileString, fc.uint8Array({ maxLength: 300 }), fc.constant(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))),
      }),
      { maxLength: 5 },
    ),
    closed: fc.boolean(),
    hugeHeader: fc.boolean(),
  })
  .map(({ declared, used, parts, closed, hugeHeader }) => {
    const enc = new TextEncoder();
    const chunks: Uint8Array[] = [];
    for (const part of parts) {
      const disposition = `form-data; name="${part.name.replace(/["\r\n]/g, '')}"${part.filename === undefined ? '' : `; filename="${part.filename.replace(/["\r\n]/g, '')}"`}`;
      const extra = hugeHeader ? `X-Pad: ${'p'.repeat(20_000)}\r\n` : '';
      chunks.push(enc.encode(`--${used}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}${extra}\r\n`));
      chunks.push(typeof part.value === 'string' ? enc.encode(part.value) : part.value);
      chunks.push(enc.encode('\r\n'));
    }
    if (closed) chunks.push(enc.encode(`--${used}--\r\n`));
    const body = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let offset = 0;
    for (const c of chunks) {
      body.set(c, offset);
      offset += c.byteLength;
    }
    return { contentType: `multipart/form-data${declared ? `; boundary=${declared}` : ''}`, body };
  });
