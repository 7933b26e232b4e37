/**
 * The shared route model (src/routing) as an AlertmanagerConfig spec (monitoring.coreos.com/v1alpha1).
 * Pure, so the tests can rewrite it the way prometheus-operator does and run amtool on the result.
 *
 * prometheus-operator prefixes the receivers with <namespace>/<name>/, sets `continue: true` on the
 * top route and, under the default matcher strategy (OnNamespace), ANDs namespace="<this object's
 * namespace>" onto the top route and both sides of every inhibit rule: this spec routes only the
 * alerts of its own namespace, so there is one per watched app namespace. Its own matcher,
 * HEAPWATCH_ALERTS_MATCHER, narrows that to heapwatch's alerts.
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1alpha1.AlertmanagerConfigSpec
 */
import { ResolvedConfig } from '../config';
import { ALERTS } from '../contract';
import { buildRouteModel, ChildRoute, LabelMatcher } from '../routing/route-model';
import { SLACK_MESSAGE } from '../routing/slack-message';
import { operatorConfig } from './operator-config';

/**
 * heapwatch's own alerts, by name: on the top route and on both sides of the inhibit rule. The
 * operator's namespace matcher alone would hand this object every alert of the app's namespace
 * (kube-prometheus-stack's KubePodCrashLooping, the team's own rules) and let heapwatch's critical
 * alerts mute the team's warnings for the same pod. The names are heapwatch's contract (src/contract.ts),
 * every heapwatch alert carries one and nothing else has to change to carry it: a label added to
 * every rule instead would change the rules both modes share. What it cannot tell apart is another
 * rule of the same name in that namespace (kube-prometheus-stack's own Watchdog has no namespace label).
 */
export const HEAPWATCH_ALERTS_MATCHER = {
  name: 'alertname',
  value: ALERTS.map((a) => a.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')).join('|'),
  matchType: '=~',
} as const;

/**
 * Every config field buildAlertmanagerConfigSpec reads (its unit test proves the list whole): the
 * apps of one namespace share its AlertmanagerConfig, so they must agree on these.
 */
export const ROUTING_FIELDS = [
  'slack.enabled', 'slack.webhookSecretName', 'slack.webhookSecretKey', 'slack.criticalChannel', 'slack.warningChannel', 'slack.watchdogChannel',
  'alertmanager.groupWait', 'alertmanager.groupInterval', 'alertmanager.repeatInterval',
] as const;

/** The value of one of ROUTING_FIELDS in `c`. */
export function routingField(c: ResolvedConfig, field: (typeof ROUTING_FIELDS)[number]): unknown {
  const [section, key] = field.split('.') as ['slack' | 'alertmanager', string];
  return (c[section] as unknown as Record<string, unknown>)[key];
}

const matcher = (m: LabelMatcher) => ({ name: m.name, value: m.value, matchType: '=' });

const timing = (r: Pick<ChildRoute, 'groupWait' | 'groupInterval' | 'repeatInterval'>) => ({
  ...(r.groupWait !== undefined && { groupWait: r.groupWait }),
  ...(r.groupInterval !== undefined && { groupInterval: r.groupInterval }),
  ...(r.repeatInterval !== undefined && { repeatInterval: r.repeatInterval }),
});

export function buildAlertmanagerConfigSpec(config: ResolvedConfig): Record<string, any> {
  const c = operatorConfig(config, 'buildAlertmanagerConfigSpec()');
  const m = buildRouteModel(c);
  return {
    route: {
      receiver: m.receiver,
      groupBy: [...m.groupBy],
      ...timing(m),
      matchers: [HEAPWATCH_ALERTS_MATCHER],
      routes: m.routes.map((r) => ({ receiver: r.receiver, matchers: r.matchers.map(matcher), ...timing(r) })),
    },
    inhibitRules: m.inhibitRules.map((r) => ({
      sourceMatch: [HEAPWATCH_ALERTS_MATCHER, ...r.source.map(matcher)],
      targetMatch: [HEAPWATCH_ALERTS_MATCHER, ...r.target.map(matcher)],
      equal: [...r.equal],
    })),
    receivers: m.receivers.map((r) => ({
      name: r.name,
      ...(r.slack && {
        slackConfigs: [{
          // A key of a Secret in this object's namespace; the operator reads it, the URL never appears here.
          apiURL: { name: c.slack.webhookSecretName, key: c.slack.webhookSecretKey },
          channel: r.slack.channel,
          sendResolved: r.slack.sendResolved,
          // Named templates are global to the Alertmanager and out of an AlertmanagerConfig's reach.
          title: SLACK_MESSAGE.title,
          titleLink: SLACK_MESSAGE.titleLink,
          text: SLACK_MESSAGE.text,
          color: SLACK_MESSAGE.color,
        }],
      }),
    })),
  };
}
