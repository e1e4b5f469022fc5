/** Orders two PostgreSQL WAL positions ('16/B374D848'): negative, 0 or positive. */
export function compareLsn(a: string, b: string): number {
  const value = (lsn: string) => {
    const [hi, lo] = lsn.split('/');
    return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
  };
  const d = value(a) - value(b);
  return d === 0n ? 0 : d > 0n ? 1 : -1;
}
