// Danish number and date formats, as Intl gives them for da-DK (1.234,5; 31.10.2026).
const numberFormat = new Intl.NumberFormat('da-DK', { maximumFractionDigits: 1 });
const shareFormat = new Intl.NumberFormat('da-DK', { style: 'percent', maximumFractionDigits: 1 });
const dateFormat = new Intl.DateTimeFormat('da-DK', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });

export const formatNumber = (n: number): string => numberFormat.format(n);
export const formatShare = (fraction: number): string => shareFormat.format(fraction);

/** ISO date (YYYY-MM-DD) → 31.10.2026. */
export function formatDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return dateFormat.format(new Date(Date.UTC(y, m - 1, d)));
}
