import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batches } from '../../functions/domain/privacy.ts';
import { createMailer, createMailForgetter, mailMentions } from '../../functions/shared/mail.ts';

describe('erasure batches', () => {
  it('packs units into transactions of at most 100 items, in order', () => {
    const sizes = [14, 14, 14, 14, 14, 14, 14, 3, 6, 6];
    const packed = batches(sizes, (n) => n);
    expect(packed.flat()).toEqual(sizes);
    expect(packed.map((b) => b.reduce((a, n) => a + n, 0))).toEqual([98, 15]);
    expect(batches([], (n: number) => n)).toEqual([]);
    expect(() => batches([101], (n) => n)).toThrow(/exceeds/);
  });
});

describe('the mail outbox forgets a person', () => {
  it('finds a name or address however the message encodes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samverkan-mail-'));
    const send = createMailer({ MAIL_OUTBOX_DIR: dir });
    await send({ to: 'hanna.vard@regionjh.se', subject: 'Din gäst Gösta Gäst har kommit till Samverkanshubb Östersund', text: `Hej Hanna Värd!\n\n${'Gösta Gäst (Jämtkraft) checkade in kl. 10:00 och väntar på dig. '.repeat(4)}` });
    await send({ to: 'other@example.se', subject: 'Åsa Öberg-Ärlig', text: `Åsa Öberg-Ärlig ${'ÅÄÖ'.repeat(60)}` });
    await send({ to: 'third@example.se', subject: 'Nothing here', text: 'Nobody named.' });
    const raw = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(raw.some((m) => m.includes('Gösta Gäst'))).toBe(false); // encoded in the file, yet found:
    expect(raw.filter((m) => mailMentions(m, ['gösta gäst']))).toHaveLength(1);
    expect(raw.filter((m) => mailMentions(m, ['Hanna.Vard@regionjh.se']))).toHaveLength(1);
    expect(raw.filter((m) => mailMentions(m, ['Åsa Öberg-Ärlig']))).toHaveLength(1);

    const forget = createMailForgetter({ MAIL_OUTBOX_DIR: dir });
    expect(await forget({ name: 'Gösta Gäst' })).toBe(1);
    expect(await forget({ email: 'other@example.se', name: 'Nobody Else' })).toBe(1);
    expect(await forget({})).toBe(0);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(await createMailForgetter({})({ name: 'Anyone' })).toBe(0); // SES: no mailbox of ours
  });
});
