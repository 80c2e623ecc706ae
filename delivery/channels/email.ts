import nodemailer from 'nodemailer';
import { DeliveryFailure, networkFailure } from './failure.js';

/**
 * E-mail over SMTP by nodemailer, to the unit contact or mailbox the destination names. The
 * Message-ID is derived from the delivery's idempotency key, so a mail system (or a person) can
 * tell a repeat after a crash from a new notice.
 */
export interface Mailer {
  send(mail: {
    readonly to: string;
    readonly subject: string;
    readonly text: string;
    readonly idempotencyKey: string;
  }): Promise<string>;
  close(): void;
}

export function createMailer(smtp: { url: string; from: string }, timeoutMs: number): Mailer {
  const transport = nodemailer.createTransport(smtp.url, {
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as never);
  return {
    async send(mail) {
      try {
        const info = (await transport.sendMail({
          from: smtp.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: `<${mail.idempotencyKey}@bihuan>`,
          headers: { 'X-Bihuan-Idempotency-Key': mail.idempotencyKey },
        })) as { response?: string };
        return info.response ?? 'sent';
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500)
          throw new DeliveryFailure(`SMTP answered ${code}: ${(err as Error).message}`, true);
        throw networkFailure('SMTP', err);
      }
    },
    close: () => transport.close(),
  };
}
