/**
 * Prometheus durations ("30s", "5m", "1h30m"), the one duration syntax used in
 * heapwatch's config, because the values end up in rule files and Alertmanager
 * config verbatim.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#duration
 */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const DURATION = /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** The allowed forms, for error messages. */
export const DURATION_FORMS = 'a Prometheus duration such as "30s", "5m" or "1h30m" (units ms s m h d w y, largest first)';

/** Returns the duration in seconds, or undefined when it is not a valid, non-zero Prometheus duration. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const match = DURATION.exec(text);
  if (!match) return undefined;
  let seconds = 0;
  ORDER.forEach((unit, i) => {
    if (match[i + 1] !== undefined) seconds += Number(match[i + 1]) * UNIT_SECONDS[unit];
  });
  return seconds > 0 ? seconds : undefined;
}

/** Formats whole seconds as the shortest Prometheus duration: 900 -> "15m", 5400 -> "1h30m". */
export function formatDuration(totalSeconds: number): string {
  let rest = Math.round(totalSeconds);
  if (rest <= 0) return '0s';
  let out = '';
  for (const unit of ['d', 'h', 'm', 's']) {
    const size = UNIT_SECONDS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
