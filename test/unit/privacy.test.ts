import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batches } from '../../functions/domain/privacy.ts';
import { createMailer, createMailForgetter, mailMentions, sesEmail } from '../../functions/shared/mail.ts';
import { defaultProvider } from '../../infra/bundling/credentials-from-env.ts';
import { gte } from '../../infra/bundling/semver-gte.ts';

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

describe('what the Lambda bundles use instead of heavier code', () => {
  it('SES gets a plain-text mail whose subject and body are UTF-8 (SES builds the MIME message)', () => {
    expect(sesEmail('Hubben <noreply@samverkan.se>', { to: 'åsa@example.se', subject: 'Välkommen till Östersund', text: 'Hej Åsa!' })).toEqual({
      FromEmailAddress: 'Hubben <noreply@samverkan.se>',
      Destination: { ToAddresses: ['åsa@example.se'] },
      Content: { Simple: { Subject: { Data: 'Välkommen till Östersund', Charset: 'UTF-8' }, Body: { Text: { Data: 'Hej Åsa!', Charset: 'UTF-8' } } } },
    });
  });

  it('the credentials are the execution role’s, from the environment, and their absence is an error', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
      expect(await defaultProvider()()).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
      delete process.env.AWS_ACCESS_KEY_ID;
      await expect(defaultProvider()()).rejects.toThrow(/environment/i);
    } finally {
      process.env = saved;
    }
  });

  it('semver.gte as cls-hooked and the X-Ray SDK call it', () => {
    expect(gte(process.versions.node, '8.0.0')).toBe(true);
    expect(gte('22.12.0', '22.12.0')).toBe(true);
    expect(gte('2.9.10', '2.10.0')).toBe(false);
    expect(gte('3.0.0-rc.1', '2.999.0')).toBe(true);
    expect(gte('v1.2.3', '1.2.4')).toBe(false);
  });
});
