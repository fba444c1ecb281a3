import type { ReactNode } from 'react';

export type BadgeTone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

/** The tone of the statuses and verdicts the API uses; anything else is neutral. */
const TONES: Record<string, BadgeTone> = {
  queued: 'info',
  pending: 'info',
  running: 'info',
  in_progress: 'info',
  completed: 'success',
  passed: 'success',
  pass: 'success',
  success: 'success',
  failed: 'danger',
  fail: 'danger',
  error: 'danger',
  cancelled: 'warning',
  canceled: 'warning',
  interrupted: 'warning',
  skipped: 'neutral',
};

function toneOf(value: string): BadgeTone {
  return TONES[value.toLowerCase()] ?? 'neutral';
}

/** A status or verdict; the text itself carries the meaning, the colour only repeats it. */
export function Badge({ value, tone, children }: { value: string; tone?: BadgeTone; children?: ReactNode }) {
  const resolved = tone ?? toneOf(value);
  return <span className={`badge badge-${resolved}`}>{children ?? value.replaceAll('_', ' ')}</span>;
}
