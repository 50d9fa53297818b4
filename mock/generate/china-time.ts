/** Date-time text in China time (GMT+8), `yyyy-MM-dd HH:mm:ss`: the format both APIs use. Fast, no Date objects. */
const OFFSET_MS = 8 * 3600_000;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
function toCivil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function formatChinaTime(ms: number): string {
  const local = ms + OFFSET_MS;
  const days = Math.floor(local / 86_400_000);
  const secs = Math.floor((local - days * 86_400_000) / 1000);
  const [y, m, d] = toCivil(days);
  return `${y}-${pad2(m)}-${pad2(d)} ${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`;
}

/** Reads text written by formatChinaTime (no validation: for the generator's own values). */
export function parseChinaTime(text: string): number | undefined {
  if (text.length !== 19) return undefined;
  const n = (from: number, to: number) => Number(text.slice(from, to));
  const ms = Date.UTC(n(0, 4), n(5, 7) - 1, n(8, 10), n(11, 13), n(14, 16), n(17, 19)) - OFFSET_MS;
  return Number.isNaN(ms) ? undefined : ms;
}
