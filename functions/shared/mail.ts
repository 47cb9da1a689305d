import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { traceClient } from './observability.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

/** A plain e-mail. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends e-mail. */
export type SendMail = (mail: Mail) => Promise<{ messageId: string }>;

/**
 * The mailer: nodemailer composes the message; SES (v2) sends it on AWS. When
 * `MAIL_OUTBOX_DIR` is set (the local runtime sets it), each message is written there as an
 * `.eml` file instead, to open in any mail program.
 */
export function createMailer(env = process.env): SendMail {
  const from = env.MAIL_FROM ?? 'samverkan <noreply@samverkan.se>';
  const dir = env.MAIL_OUTBOX_DIR;
  if (dir) {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    return async (mail) => {
      const info = await transport.sendMail({ from, ...mail });
      mkdirSync(dir, { recursive: true });
      const file = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[<>@]/g, '').slice(0, 40)}.eml`;
      writeFileSync(join(dir, file), info.message as Buffer);
      return { messageId: info.messageId };
    };
  }
  const transport = nodemailer.createTransport({ SES: { sesClient: traceClient(new SESv2Client({})), SendEmailCommand } });
  return async (mail) => {
    const info = await transport.sendMail({ from, ...mail });
    return { messageId: info.messageId };
  };
}

// The adapter's erasure port (kept in its own module, so that importing it loads no mail client).
export { createMailForgetter, mailMentions, type ForgetRecipient, type MailPerson } from './mail-forget.ts';
