// The review's fixed values, without zod (the dashboard's bundle holds them, browser.ts).

export const REVIEW_ANSWERS = ['ja', 'delvist', 'nej', 'ikke_relevant'] as const;

export const REVIEW_STATUSES = ['ikke_startet', 'i_gang', 'faerdig'] as const;

export const ACTION_AREA_STATUSES = ['planlagt', 'i_gang', 'gennemfoert', 'opgivet'] as const;
