// The send results of the committee's report, as the worker writes them into the archive
// (report_archive.send_result) and the API and the job's result read them back. One list for
// both: a reader that lets a text through must know every text the writer may write.

/** A report made only for the archive (asked with send: false). */
export const ARCHIVE_ONLY = 'ikke sendt: kun arkiveret';
/** While the mail is on its way (the archive row is written first). */
export const SENDING = 'sendes nu';
/** A report whose job stopped while its mail was on its way: it is not sent twice. */
export const SEND_INTERRUPTED =
  'afsendelsen blev afbrudt: det vides ikke, om rapporten nåede frem; den sendes ikke igen af sig selv (lav rapporten igen for at sende den)';
/** SMTP is not configured (ADR 0052). */
export const NOT_CONFIGURED = 'ikke sendt: SMTP er ikke sat op';
/** The schedule names nobody. */
export const NO_RECIPIENTS = 'ikke sendt: ingen modtagere';

const FIXED = new Set([ARCHIVE_ONLY, SENDING, SEND_INTERRUPTED, NOT_CONFIGURED, NO_RECIPIENTS]);

/**
 * What of a send result carries neither addresses nor a mail server's answer: a fixed text as it
 * is, "sendt til N (af M) modtager(e)" without what the mailer wrote after it (refused addresses,
 * the server's answer); null for anything else, which each reader replaces with its own text.
 */
export function sendResultWithoutDetails(result: string): string | null {
  if (FIXED.has(result)) return result;
  return /^sendt til \d+ (af \d+ )?modtagere?(?=;|$)/.exec(result)?.[0] ?? null;
}
