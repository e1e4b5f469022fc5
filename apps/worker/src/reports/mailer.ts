import nodemailer from 'nodemailer';
import type { MailConfig } from '@bu/config';
import { logger } from '@bu/logger';

/** The send result written into the archive when SMTP is not configured (ADR 0052). */
export const NOT_CONFIGURED = 'ikke sendt: SMTP er ikke sat op';
export const NO_RECIPIENTS = 'ikke sendt: ingen modtagere';

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

/** What came of one e-mail: sent, or why not (in Danish, for the archive and the log). */
export interface SendResult {
  sent: boolean;
  result: string;
}

/** Outgoing e-mail over SMTP (nodemailer); without configuration every send says so and sends nothing. */
export interface Mailer {
  readonly configured: boolean;
  send(mail: Mail): Promise<SendResult>;
  close(): void;
}

export function createMailer(config: MailConfig | null): Mailer {
  if (!config) {
    return { configured: false, send: () => Promise.resolve({ sent: false, result: NOT_CONFIGURED }), close: () => undefined };
  }
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    // STARTTLS or no mail: a stripped STARTTLS must not send the password and the PDFs in clear.
    requireTLS: !config.secure && config.requireTls !== false,
    auth: config.user ? { user: config.user, pass: config.password } : undefined,
    // A stuck server must not hold the job for minutes.
    connectionTimeout: 20_000,
    greetingTimeout: 20_000,
    socketTimeout: 60_000,
  });
  return {
    configured: true,
    async send(mail) {
      if (mail.to.length === 0) return { sent: false, result: NO_RECIPIENTS };
      try {
        // Several recipients (a committee and the administration) do not see each other's addresses.
        const { to, ...rest } = mail;
        const info = await transport.sendMail({ from: config.from, ...rest, ...(to.length > 1 ? { bcc: to } : { to }) });
        // The server may refuse some recipients and take the rest (nodemailer throws only when it refuses all).
        const rejected = ((info.rejected as (string | { address: string })[] | undefined) ?? []).map((r) =>
          typeof r === 'string' ? r : r.address,
        );
        if (rejected.length === 0)
          return { sent: true, result: `sendt til ${mail.to.length} ${mail.to.length === 1 ? 'modtager' : 'modtagere'}` };
        logger().warn({ host: config.host, port: config.port, rejected: rejected.length }, 'E-mail refused for some recipients');
        return {
          sent: true,
          result: `sendt til ${mail.to.length - rejected.length} af ${mail.to.length} modtagere; mailserveren afviste ${rejected.join(', ')}`,
        };
      } catch (error) {
        // The server's answer (never the password: nodemailer does not put it in its errors).
        const reason = (error as Error).message.split('\n')[0].slice(0, 300);
        logger().warn({ host: config.host, port: config.port }, `E-mail not sent: ${reason}`);
        return { sent: false, result: `ikke sendt: ${reason}` };
      }
    },
    close: () => transport.close(),
  };
}
