/** Absolute webhook URLs for TwiML and REST requests, always from PUBLIC_BASE_URL. */
export function voiceUrl(base: string, path: string, query: Record<string, string | number> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) q.set(k, String(v));
  const qs = q.toString();
  return `${base}/voice${path}${qs ? `?${qs}` : ''}`;
}
