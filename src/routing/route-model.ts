/**
 * heapwatch's alert routing as plain data, rendered two ways: into alertmanager.yml for the
 * standalone Alertmanager (src/stack/alertmanager-config.ts) and into an AlertmanagerConfig for
 * kube-prometheus-stack (src/operator/alertmanager-config-spec.ts). One model, so both modes route
 * the same alerts to the same channels.
 *
 * Critical and warning go to their Slack channels, Watchdog to its own receiver, everything else
 * (severity none or info) to a receiver that sends nothing. A critical alert mutes warnings for the
 * same pod, so a leaking pod pages once, for the right reason.
 */
import { ResolvedConfig } from '../config';

export const RECEIVERS = { none: 'null', watchdog: 'watchdog', critical: 'slack-critical', warning: 'slack-warning' } as const;

/** An equality matcher, `name="value"`. */
export interface LabelMatcher {
  readonly name: string;
  readonly value: string;
}

export interface ChildRoute {
  readonly receiver: string;
  readonly matchers: readonly LabelMatcher[];
  /** @default - the parent route's */
  readonly groupWait?: string;
  /** @default - the parent route's */
  readonly groupInterval?: string;
  /** @default - the parent route's */
  readonly repeatInterval?: string;
}

export interface InhibitRuleModel {
  readonly source: readonly LabelMatcher[];
  readonly target: readonly LabelMatcher[];
  readonly equal: readonly string[];
}

export interface ReceiverModel {
  readonly name: string;
  /** The Slack channel and whether resolved notices are sent; absent when Slack is off (the receiver sends nothing). */
  readonly slack?: { readonly channel: string; readonly sendResolved: boolean };
}

export interface RouteModel {
  readonly receiver: string;
  readonly groupBy: readonly string[];
  readonly groupWait: string;
  readonly groupInterval: string;
  readonly repeatInterval: string;
  readonly routes: readonly ChildRoute[];
  readonly inhibitRules: readonly InhibitRuleModel[];
  readonly receivers: readonly ReceiverModel[];
}

const eq = (name: string, value: string): LabelMatcher => ({ name, value });

/** `name="value"`, Alertmanager's matcher syntax. */
export const matcherText = (m: LabelMatcher) => `${m.name}=${JSON.stringify(m.value)}`;

export function buildRouteModel(c: ResolvedConfig): RouteModel {
  const a = c.alertmanager;
  const s = c.slack;
  const slack = (channel: string, sendResolved: boolean) => (s.enabled ? { slack: { channel, sendResolved } } : {});
  return {
    receiver: RECEIVERS.none,
    groupBy: ['alertname', 'namespace', 'pod'],
    groupWait: a.groupWait,
    groupInterval: a.groupInterval,
    repeatInterval: a.repeatInterval,
    routes: [
      // The dead man's switch: delivered on its own, often, so its silence is noticed.
      { receiver: RECEIVERS.watchdog, matchers: [eq('alertname', 'Watchdog')], groupWait: '0s', groupInterval: '1m', repeatInterval: '5m' },
      { receiver: RECEIVERS.critical, matchers: [eq('severity', 'critical')] },
      { receiver: RECEIVERS.warning, matchers: [eq('severity', 'warning')] },
    ],
    inhibitRules: [
      { source: [eq('severity', 'critical')], target: [eq('severity', 'warning')], equal: ['namespace', 'pod'] },
    ],
    receivers: [
      { name: RECEIVERS.none },
      { name: RECEIVERS.watchdog, ...slack(s.watchdogChannel, false) },
      { name: RECEIVERS.critical, ...slack(s.criticalChannel, true) },
      { name: RECEIVERS.warning, ...slack(s.warningChannel, true) },
    ],
  };
}
