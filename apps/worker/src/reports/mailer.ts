import nodemailer from 'nodemailer';
import type { MailConfig } from '@bu/config';
import { NO_RECIPIENTS, NOT_CONFIGURED } from '@bu/jobs';
import { logger } from '@bu/logger';

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
  /**
   * Not sent for certain (sent false only): the send failed before the message data went to the
   * server, or the server refused it. Without it the server may have taken the message (a
   * connection lost or timed out once the data was on its way): sending again may send it twice.
   */
  unsent?: boolean;
}

// What fails a send before the message data goes, or says the server did not take it: nodemailer's
// codes of the connection's set-up, the login and the envelope; system errors of connecting; the
// timeouts of connecting, the greeting and the TLS handshake; the commands before DATA; the
// server's refusal at the data's end. Not ECONNECTION, other ESOCKETs, SOCKET_TIMEOUT nor command
// CONN: nodemailer reports a connection lost after the data was sent just so (err.command is CONN,
// not DATA).
const BEFORE_DATA_CODES = new Set(['EDNS', 'ETLS', 'EREQUIRETLS', 'EAUTH', 'ENOAUTH', 'EOAUTH2', 'EENVELOPE', 'ECONFIG', 'EMAXRECIPIENTS']);
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);
const BEFORE_DATA_COMMANDS = /^(EHLO|HELO|LHLO|STARTTLS|AUTH\b|MAIL FROM|RCPT TO)/;

/** Whether a failed send surely did not reach the server as a message (see SendResult.unsent). */
export function surelyUnsent(error: unknown): boolean {
  const e = error as { code?: string; originalCode?: string; command?: string; timeoutType?: string; responseCode?: number };
  if (e.code && (BEFORE_DATA_CODES.has(e.code) || CONNECT_ERRORS.has(e.code))) return true;
  if (e.originalCode && CONNECT_ERRORS.has(e.originalCode)) return true;
  if (e.code === 'ETIMEDOUT' && e.timeoutType && SETUP_TIMEOUTS.has(e.timeoutType)) return true;
  // The server's refusal of the message at its end: an answer, so it did not take it.
  if (e.code === 'EMESSAGE' && e.command === 'DATA' && typeof e.responseCode === 'number' && e.responseCode >= 400) return true;
  return typeof e.command === 'string' && BEFORE_DATA_COMMANDS.test(e.command);
}

/** Outgoing e-mail over SMTP (nodemailer); without configuration every send says so and sends nothing. */
export interface Mailer {
  readonly configured: boolean;
  send(mail: Mail): Promise<SendResult>;
  close(): void;
}

export function createMailer(config: MailConfig | null): Mailer {
  if (!config) {
    return {
      configured: false,
      send: () => Promise.resolve({ sent: false, result: NOT_CONFIGURED, unsent: true }),
      close: () => undefined,
    };
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
      if (mail.to.length === 0) return { sent: false, result: NO_RECIPIENTS, unsent: true };
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
        const unsent = surelyUnsent(error);
        logger().warn(
          { host: config.host, port: config.port, code: (error as { code?: string }).code, unsent },
          `E-mail not sent: ${reason}`,
        );
        return { sent: false, result: `ikke sendt: ${reason}`, unsent };
      }
    },
    close: () => transport.close(),
  };
}
