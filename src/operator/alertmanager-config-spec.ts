/**
 * The shared route model (src/routing) as an AlertmanagerConfig spec (monitoring.coreos.com/v1alpha1).
 * Pure, so the tests can rewrite it the way prometheus-operator does and run amtool on the result.
 *
 * prometheus-operator prefixes the receivers with <namespace>/<name>/, sets `continue: true` on the
 * top route and, under the default matcher strategy (OnNamespace), ANDs namespace="<this object's
 * namespace>" onto the top route and both sides of every inhibit rule: this spec routes only the
 * alerts of its own namespace, so there is one per watched app namespace.
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1alpha1.AlertmanagerConfigSpec
 */
import { ResolvedConfig } from '../config';
import { buildRouteModel, ChildRoute, LabelMatcher } from '../routing/route-model';
import { SLACK_MESSAGE } from '../routing/slack-message';

const matcher = (m: LabelMatcher) => ({ name: m.name, value: m.value, matchType: '=' });

const timing = (r: Pick<ChildRoute, 'groupWait' | 'groupInterval' | 'repeatInterval'>) => ({
  ...(r.groupWait !== undefined && { groupWait: r.groupWait }),
  ...(r.groupInterval !== undefined && { groupInterval: r.groupInterval }),
  ...(r.repeatInterval !== undefined && { repeatInterval: r.repeatInterval }),
});

export function buildAlertmanagerConfigSpec(c: ResolvedConfig): Record<string, any> {
  const m = buildRouteModel(c);
  return {
    route: {
      receiver: m.receiver,
      groupBy: [...m.groupBy],
      ...timing(m),
      routes: m.routes.map((r) => ({ receiver: r.receiver, matchers: r.matchers.map(matcher), ...timing(r) })),
    },
    inhibitRules: m.inhibitRules.map((r) => ({
      sourceMatch: r.source.map(matcher),
      targetMatch: r.target.map(matcher),
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
