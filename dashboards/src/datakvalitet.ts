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
    {
      kpi: 'dq.unknown_codes',
      chart: 'work-list',
      description:
        'Rækker med en kode, som produktet ikke kender; de er indlæst som "ukendt" og tæller ikke med i nøgletallene for indsatser.',
      columns: [
        { key: 'code', label: 'Kode' },
        {
          key: 'count',
          label: 'Antal',
          format: 'days',
          opens: {
            key: 'issues',
            label: 'Rækker med koden',
            columns: [
              { key: 'file', label: 'Fil' },
              { key: 'line', label: 'Linje', format: 'days' },
              { key: 'message', label: 'Besked' },
            ],
          },
        },
      ],
    },
    {
      kpi: 'dq.open_measures_on_closed_cases',
      chart: 'work-list',
      description: 'Indsatser, der er aktive på opgørelsesdatoen, på sager lukket før den. Ret dem i fagsystemet.',
      columns: [
        { key: 'case', label: 'Sag' },
        { key: 'measureType', label: 'Indsats' },
        { key: 'worker', label: 'Rådgiver', format: 'worker' },
        { key: 'started', label: 'Start', format: 'date' },
        { key: 'ended', label: 'Slut', format: 'date' },
        { key: 'closed', label: 'Sagen lukket', format: 'date' },
      ],
    },
    {
      kpi: 'dq.missing_end_dates',
      chart: 'work-list',
      title: 'Indsatser uden slutdato, startet for over 5 år siden', // punctuation
      description: 'Oftest en indsats, der er afsluttet uden at få en slutdato i fagsystemet.',
      columns: [
        { key: 'case', label: 'Sag' },
        { key: 'measureType', label: 'Indsats' },
        { key: 'worker', label: 'Rådgiver', format: 'worker' },
        { key: 'started', label: 'Start', format: 'date' },
      ],
    },
  ],
});
