/** A cookie's value from the Cookie header (no cookie parser in the API for the sign-on flow's two cookies). */
export function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0 || part.slice(0, at).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      return undefined; // not a value we set (ours are URL-safe): as if there were none
    }
  }
  return undefined;
}
