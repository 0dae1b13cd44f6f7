// How the page writes amounts and times. Amounts arrive as exact decimal strings (SPEC §7) and
// are formatted as strings — digits grouped, a sign added — never through a float, so what is
// shown is the API's value digit for digit (no 0.1 + 0.2 surprises, no re-rounding). Times are
// shown in New York time, the trading day's zone, as on the visuals page.
import { NEW_YORK } from './trading_state';

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;

// Groups the integer digits by thousands: "1234567.5" → "1,234,567.5". Text that is not a plain
// decimal is returned unchanged (shown as it came).
export function groupDecimal(s: string): string {
  const m = DECIMAL_RE.exec(s);
  if (!m) return s;
  const [, sign, int, frac] = m;
  return `${sign}${int.replace(/\B(?=(\d{3})+$)/g, ',')}${frac === undefined ? '' : `.${frac}`}`;
}

// An amount with its sign: "+1,234.5", "-9.4804", "0" (zero has none).
export function signedDecimal(s: string): string {
  const m = DECIMAL_RE.exec(s);
  if (!m) return s;
  const zero = !/[1-9]/.test(m[2] + (m[3] ?? ''));
  if (zero) return groupDecimal(s.replace(/^-/, ''));
  return m[1] === '-' ? groupDecimal(s) : `+${groupDecimal(s)}`;
}

// Whether a decimal string is above zero (a fill's filled_qty).
export function isPositive(s: string): boolean {
  const m = DECIMAL_RE.exec(s);
  return m !== null && m[1] !== '-' && /[1-9]/.test(m[2] + (m[3] ?? ''));
}

// The sign of a decimal string, for colouring: -1, 0 or 1.
export function decimalSign(s: string): -1 | 0 | 1 {
  const m = DECIMAL_RE.exec(s);
  if (!m || !/[1-9]/.test(m[2] + (m[3] ?? ''))) return 0;
  return m[1] === '-' ? -1 : 1;
}

// A fraction as a percentage with `places` decimals, rounded half away from zero in exact
// (BigInt) arithmetic: "0.538461538" → "53.8%". Null (no round trip judged yet) → "–".
export function percent(fraction: string | null, places = 1): string {
  if (fraction === null) return '–';
  const m = DECIMAL_RE.exec(fraction);
  if (!m) return fraction;
  const frac = m[3] ?? '';
  const digits = BigInt(m[2] + frac);
  // value·100 with `places` decimals = digits · 10^(2 + places) / 10^scale.
  const e = frac.length - 2 - places;
  let q: bigint;
  if (e <= 0) {
    q = digits * 10n ** BigInt(-e);
  } else {
    const unit = 10n ** BigInt(e);
    q = digits / unit;
    if ((digits % unit) * 2n >= unit) q += 1n;
  }
  const text = q.toString().padStart(places + 1, '0');
  const whole = text.slice(0, text.length - places);
  const shown = places === 0 ? whole : `${whole}.${text.slice(text.length - places)}`;
  return `${m[1] === '-' && q !== 0n ? '-' : ''}${shown}%`;
}

// hourCycle h23: midnight is 00, never the 24 some engines write with hour12: false.
const timeOfDay = new Intl.DateTimeFormat('en-US', { timeZone: NEW_YORK, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dayAndTime = new Intl.DateTimeFormat('en-US', { timeZone: NEW_YORK, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dayOnly = new Intl.DateTimeFormat('en-US', { timeZone: NEW_YORK, month: 'short', day: 'numeric' });

// An RFC 3339 instant as New York time of day ("14:22:06"); the tables hold one New York day.
export function nyTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : timeOfDay.format(ms);
}

// Seconds since the epoch as the charts' labels: day and time, or only the day / the time.
export function nyChartLabel(seconds: number, kind: 'full' | 'day' | 'time'): string {
  const d = new Date(seconds * 1000);
  return (kind === 'full' ? dayAndTime : kind === 'day' ? dayOnly : timeOfDay).format(d);
}
