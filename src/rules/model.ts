/**
 * The shapes of a Prometheus rule file, as plain objects (what `yaml` writes out).
 * @see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/
 */
import { AlertName } from '../contract';

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** Alert severities: critical pages, warning tickets, none is never routed to people (Watchdog). */
export type Severity = 'critical' | 'warning' | 'none';

export interface AlertingRule {
  readonly alert: AlertName;
  readonly expr: string;
  /** Omitted when the alert fires on the first evaluation that matches. */
  readonly for?: string;
  readonly labels: { readonly severity: Severity };
  readonly annotations: AlertAnnotations;
}

/** Every heapwatch alert carries exactly these annotations. */
export interface AlertAnnotations {
  /** Fixed text, no template: it groups well in Slack and reads the same at 3 a.m. */
  readonly summary: string;
  /** Go template with {{ $labels.* }} and {{ $value }}. */
  readonly description: string;
  readonly runbook_url: string;
  readonly dashboard_url: string;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval of this group. @default - Prometheus' global evaluation_interval */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

export const isAlertingRule = (r: Rule): r is AlertingRule => 'alert' in r;
