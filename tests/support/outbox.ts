import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';

/** Every `.eml` in an outbox folder, parsed, oldest first (file names start with the time). */
export async function outboxMessages(dir: string): Promise<ParsedMail[]> {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  return Promise.all(files.map((f) => simpleParser(readFileSync(join(dir, f)))));
}

/** The 6-digit code in the newest reset mail to `to`, failing when there is none. */
export async function latestCode(dir: string, to: string): Promise<string> {
  const mails = (await outboxMessages(dir)).filter((m) => recipient(m) === to && /reset code/i.test(m.subject ?? ''));
  const code = codeIn(mails.at(-1));
  if (!code) throw new Error(`no reset code mailed to ${to} in ${dir}`);
  return code;
}

export function recipient(mail: ParsedMail): string | undefined {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address;
}

export function codeIn(mail: ParsedMail | undefined): string | undefined {
  return /\b(\d{6})\b/.exec(mail?.text ?? '')?.[1];
}
