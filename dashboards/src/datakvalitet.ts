import { dashboard } from './types';

// Whether the figures can be trusted: what the imports rejected, and what looks wrong in the data.
export const datakvalitet = dashboard({
  id: 'datakvalitet',
  title: 'Datakvalitet',
  roles: ['chef', 'teamleder', 'admin'],
  figures: [
    {
      kpi: 'dq.rejected_rows',
      chart: 'work-list',
      description: 'Rækker, der ikke blev indlæst, efter fil og regel. Ret dem i fagsystemet; næste udtræk indlæser dem.',
      columns: [
        { key: 'source', label: 'Kilde' },
        { key: 'file', label: 'Fil' },
        { key: 'title', label: 'Regel' },
        {
          key: 'count',
          label: 'Antal',
          format: 'days',
          opens: {
            key: 'issues',
            label: 'Afviste rækker',
            columns: [
              { key: 'line', label: 'Linje', format: 'days' },
              { key: 'value', label: 'Værdi' },
              { key: 'message', label: 'Besked' },
            ],
          },
        },
        { key: 'lines', label: 'Linjer' },
      ],
    },
    { kpi: 'dq.unknown_codes', chart: 'bar-per-key' },
    { kpi: 'dq.open_measures_on_closed_cases', chart: 'number' },
    { kpi: 'dq.missing_end_dates', chart: 'number', title: 'Indsatser uden slutdato, startet for over 5 år siden' }, // punctuation
  ],
});
