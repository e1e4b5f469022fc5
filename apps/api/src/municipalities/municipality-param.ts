/** `?municipality=` as a number; absent or empty: the user's own (the scope service checks the rest). */
export const municipalityParam = (value?: string): number | undefined => (value ? Number(value) : undefined);
