// Danish number and date formats: shared with the server-side PDF report (libs/contracts).
export { formatDate, formatDateTime, formatNumber, formatShare } from '@bu/contracts';
