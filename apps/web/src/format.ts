// Danish number and date formats: shared with the server-side PDF report (libs/contracts).
export {
  addDays,
  DATE_FORMAT_MESSAGE,
  DATE_INVALID_MESSAGE,
  formatDate,
  formatDateTime,
  formatNumber,
  formatShare,
  parseDanishDate,
} from '@bu/contracts';
