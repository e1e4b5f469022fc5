// Units and ranks as shown: shared with the server-side PDF report (libs/contracts).
export { benchmarkSentences, formatAmount, formatKroner, isKroner, rankText, unitOf } from '@bu/contracts';
