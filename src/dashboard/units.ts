/** The units the dashboard uses, named after Grafana's unit ids (from the foundation SDK). */
import * as units from '@grafana/grafana-foundation-sdk/units';

export const UNIT = {
  /** Bytes, IEC prefixes (KiB, MiB). */
  bytes: units.BytesIEC,
  /** A fraction shown as a percentage (0.85 -> 85 %). */
  percentUnit: units.PercentUnit,
  seconds: units.Seconds,
  /** A plain count with SI-like short suffixes. */
  short: units.Short,
  /** No unit (state values mapped to text). */
  none: units.NoUnit,
} as const;

export type Unit = (typeof UNIT)[keyof typeof UNIT];
