import { SendEmailCommand, type SendEmailCommandInput, SESv2Client } from '@aws-sdk/client-sesv2';
import { traceClient } from './observability.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A plain e-mail. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends e-mail. */
export type SendMail = (mail: Mail) => Promise<{ messageId: string }>;

/**
 * The mailer. On AWS, SES (v2) composes and sends the plain-text message (UTF-8 subject and body).
 * When `MAIL_OUTBOX_DIR` is set (the local runtime sets it), nodemailer composes it and each message
 * is written there as an `.eml` file instead, to open in any mail program. nodemailer is loaded only
 * then: it is left out of the Lambda bundles (infra/constructs/function.ts), 238 KB each.
 */
export function createMailer(env = process.env): SendMail {
  const from = env.MAIL_FROM ?? 'samverkan <noreply@samverkan.se>';
  const dir = env.MAIL_OUTBOX_DIR;
  if (dir) {
    const transport = import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }));
    return async (mail) => {
      const info = await (await transport).sendMail({ from, ...mail });
      mkdirSync(dir, { recursive: true });
      const file = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[<>@]/g, '').slice(0, 40)}.eml`;
      writeFileSync(join(dir, file), info.message as Buffer);
      return { messageId: info.messageId };
    };
  }
  const ses = traceClient(new SESv2Client({}));
  return async (mail) => {
    const out = await ses.send(new SendEmailCommand(sesEmail(from, mail)));
    return { messageId: out.MessageId ?? '' };
  };
}

/** The SES v2 request for a plain-text mail: SES builds the MIME message (UTF-8 subject and body). */
export function sesEmail(from: string, mail: Mail): SendEmailCommandInput {
  return {
    FromEmailAddress: from,
    Destination: { ToAddresses: [mail.to] },
    Content: { Simple: { Subject: { Data: mail.subject, Charset: 'UTF-8' }, Body: { Text: { Data: mail.text, Charset: 'UTF-8' } } } },
  };
}

// The adapter's erasure port (kept in its own module, so that importing it loads no mail client).
export { createMailForgetter, mailMentions, type ForgetRecipient, type MailPerson } from './mail-forget.ts';
