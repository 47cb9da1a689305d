import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Someone to forget in the mail we keep: their address, and their name as mails may mention it. */
export interface MailPerson {
  email?: string | undefined;
  name?: string | undefined;
}

/** The mail adapter's erasure port: forgets the messages sent to or naming a person; returns how many. */
export type ForgetRecipient = (person: MailPerson) => Promise<number>;

/**
 * Locally (`MAIL_OUTBOX_DIR`), deletes every `.eml` file sent to the person or naming them. On
 * AWS it does nothing: SES keeps no mailbox of ours (what SES may keep, sending logs and the
 * suppression list, is in docs/privacy.md).
 */
export function createMailForgetter(env = process.env): ForgetRecipient {
  const dir = env.MAIL_OUTBOX_DIR;
  return async (person) => {
    const needles = [person.email, person.name].filter((n): n is string => typeof n === 'string' && n.trim().length > 0);
    if (!dir || needles.length === 0 || !existsSync(dir)) return 0;
    let deleted = 0;
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.eml')) continue;
      const path = join(dir, file);
      if (!mailMentions(readFileSync(path, 'utf8'), needles)) continue;
      rmSync(path, { force: true });
      deleted++;
    }
    return deleted;
  };
}

const utf8 = (bytes: number[]) => Buffer.from(bytes).toString('utf8');

/** Decodes quoted-printable text (soft line breaks, `=XX` bytes) as UTF-8. */
function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/(?:=[0-9A-Fa-f]{2})+/g, (run) => utf8(run.slice(1).split('=').map((h) => parseInt(h, 16))));
}

/**
 * Whether a raw message mentions any of `needles` (case-insensitive), in its headers or text
 * however they are encoded: MIME encoded words (`=?UTF-8?Q?…?=`, `B`), quoted-printable or
 * base64 bodies, folded lines.
 */
export function mailMentions(raw: string, needles: string[]): boolean {
  const unfolded = raw.replace(/\r?\n[ \t]+/g, ' ');
  const words = unfolded.replace(/=\?[^?]+\?([QqBb])\?([^?]*)\?=\s*/g, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
  const base64Bodies = [...raw.matchAll(/Content-Transfer-Encoding:\s*base64\s*\r?\n(?:[^\r\n]+\r?\n)*?\r?\n([A-Za-z0-9+/=\r\n]+)/gi)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64').toString('utf8'));
  const haystack = [raw, words, decodeQuotedPrintable(words), ...base64Bodies].join('\n').toLowerCase().replace(/\s+/g, ' ');
  return needles.some((n) => haystack.includes(n.toLowerCase().replace(/\s+/g, ' ')));
}
