/** "+44, +1" <-> ["+44", "+1"]: prefix lists typed as one comma-separated line. */
export const splitList = (s: string) =>
  s
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
export const joinList = (xs: readonly string[]) => xs.join(', ');

/** The first API message for a list field or any of its items ("allowPrefixes.2"). */
export function listError(errors: Record<string, string>, field: string): string | undefined {
  const key = Object.keys(errors).find((k) => k === field || k.startsWith(`${field}.`));
  return key ? (key === field ? errors[key] : `${key.slice(field.length + 1)}: ${errors[key]}`) : undefined;
}

export const when = (iso: string) => `${new Date(iso).toLocaleString('en-GB', { timeZone: 'UTC', dateStyle: 'short', timeStyle: 'medium' })} UTC`;
