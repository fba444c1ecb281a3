/** How the session and simulation pages write figures: one place, so every table reads the same. */

const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
const numberFormat = new Intl.NumberFormat();

/** A rate from 0 to 1 as a percentage; an em dash when there is none yet (`null`). */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : percentFormat.format(rate);
}

/** A pass-rate change as signed percentage points ("+25 pts", "−50 pts", "±0 pts"). */
export function delta(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const points = Math.round(value * 100);
  if (points === 0) return '±0 pts';
  return `${points > 0 ? '+' : '−'}${Math.abs(points)} pts`;
}

export function count(value: number): string {
  return numberFormat.format(value);
}

/** Milliseconds as seconds or minutes, the scale a call is read in. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** The time between two instants, or `null` when either is missing. */
export function between(start: string | null | undefined, end: string | null | undefined): number | null {
  if (!start || !end) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}
