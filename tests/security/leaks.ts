/**
 * What must never appear in an answer: a stack trace, SQL or a driver's error text, a bcrypt hash,
 * a secret, or a file path. Returns the names of the leaks found (empty when clean).
 */
export function leaksIn(text: string): string[] {
  const found: string[] = [];
  const secrets = [process.env.SECRET_KEY, process.env.SESSION_SECRET_KEY].filter((s): s is string => Boolean(s));
  if (/\n\s+at \S+ \(|at async /.test(text)) found.push('stack');
  if (/\b(select|insert into|update|delete from)\b[\s\S]{0,200}\b(from|values|set|where)\b/i.test(text)) found.push('sql');
  if (/duplicate key|violates|syntax error at|relation "|pglite|neon|postgres/i.test(text)) found.push('driver error');
  if (/\$2[aby]\$\d\d\$/.test(text)) found.push('bcrypt hash');
  if (secrets.some((s) => text.includes(s))) found.push('secret');
  if (/\/(work|home|root|tmp|var|usr)\/|node_modules|\.ts:\d+/.test(text)) found.push('file path');
  return found;
}
