/**
 * A deliberately small model of the PromQL the generated tests lean on, over series sampled once
 * per step and evaluated once per step. It computes where a boundary falls and what value the
 * alert will carry there; promtool, running the real rules on the same data, is the judge.
 */
import { Values } from './series';

/** Prometheus' default lookback: an instant query sees the last sample up to 5m old. */
const LOOKBACK_SECONDS = 300;

/** The value an instant selector sees at step j (the last sample within the lookback), or null. */
export function visible(values: Values, j: number, stepSeconds: number): number | null {
  for (let i = Math.min(j, values.length - 1); i >= 0 && (j - i) * stepSeconds <= LOOKBACK_SECONDS; i--) {
    if (values[i] !== null) return values[i];
  }
  return null;
}

/**
 * predict_linear(v[range], horizon) at step j, the way Prometheus 2.42 fits it: least squares over
 * the samples in [t - range, t], x in seconds relative to t. Undefined with fewer than two samples.
 */
export function predictLinear(values: Values, j: number, stepSeconds: number, rangeSeconds: number, horizonSeconds: number): number | undefined {
  const pts: [number, number][] = [];
  for (let i = 0; i <= j && i < values.length; i++) {
    const v = values[i];
    if (v !== null && (j - i) * stepSeconds <= rangeSeconds) pts.push([(i - j) * stepSeconds, v]);
  }
  if (pts.length < 2) return undefined;
  if (pts.every(([, y]) => y === pts[0][1])) return pts[0][1];
  const n = pts.length;
  const sx = pts.reduce((s, [x]) => s + x, 0);
  const sy = pts.reduce((s, [, y]) => s + y, 0);
  const sxy = pts.reduce((s, [x, y]) => s + x * y, 0);
  const sx2 = pts.reduce((s, [x]) => s + x * x, 0);
  const slope = (sxy - (sx * sy) / n) / (sx2 - (sx * sx) / n);
  const intercept = sy / n - (slope * sx) / n;
  return slope * horizonSeconds + intercept;
}

/**
 * rate() at step j over a window of whole steps, for a counter sampled at every step with no
 * resets: the window's first sample sits on its start, so Prometheus' extrapolation factor is 1.
 */
export function alignedRate(values: readonly number[], j: number, stepSeconds: number, windowSeconds: number): number {
  const w = windowSeconds / stepSeconds;
  if (!Number.isInteger(w) || j < w) throw new Error(`alignedRate: window ${windowSeconds}s is not ${w} whole steps before step ${j}`);
  return (values[j] - values[j - w]) / windowSeconds;
}

/**
 * The step at which an alert with this `for` first fires, given whether its expression matched
 * at each step (evaluated every step from 0), or undefined when it never does.
 */
export function firstFiring(matches: readonly boolean[], stepSeconds: number, forSeconds: number): number | undefined {
  let activeSince: number | undefined;
  for (let j = 0; j < matches.length; j++) {
    if (!matches[j]) {
      activeSince = undefined;
      continue;
    }
    activeSince ??= j;
    if ((j - activeSince) * stepSeconds >= forSeconds) return j;
  }
  return undefined;
}
