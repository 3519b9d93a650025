// The Mailer on SMTP (nodemailer): one pooled transport per node, from SMTP_URL. The Message-ID
// comes from the outbox row, so if an email is ever sent twice (a node died between the server's
// acceptance and the row's update) both copies carry the same id and mail clients can tell.

import nodemailer from 'nodemailer';
import { MailError, type Mailer } from '../core/email.ts';

export function createSmtpMailer(smtpUrl: string, from: string, messageIdDomain: string): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    // Bounded attempts: each ends well within the outbox lease (core/email.ts).
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      try {
        await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: `<${mail.id}@${messageIdDomain}>`,
        });
      } catch (err) {
        const e = err as { responseCode?: unknown; code?: unknown };
        const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
        // 5xx: the server refused this message for good; anything else (4xx, network) is retried.
        const permanent = responseCode !== null && responseCode >= 500 && responseCode < 600;
        throw new MailError(err instanceof Error ? err.message : String(err), permanent, { code: typeof e.code === 'string' ? e.code : null, responseCode }, { cause: err });
      }
    },
    close() {
      transport.close();
    },
  };
}
