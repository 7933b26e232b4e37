/**
 * alertmanager.yml and its Slack message template, from the config. Pure, so amtool can
 * check exactly what is synthesized and the demo can run a real Alertmanager on it.
 *
 * The routes, inhibit rule and receivers come from the shared route model (src/routing), which
 * operator mode renders into an AlertmanagerConfig instead.
 */
import { requireResolved, ResolvedConfig } from '../config';
import { buildRouteModel, ChildRoute, matcherText } from '../routing/route-model';
import { SLACK_MESSAGE, SlackField } from '../routing/slack-message';
import { ALERTMANAGER_PATHS } from './names';

export { RECEIVERS } from '../routing/route-model';
export const TEMPLATE_FILE = 'heapwatch.tmpl';

/** The named template of each Slack field in TEMPLATE_FILE. */
const TEMPLATE_NAMES: Record<SlackField, string> = {
  title: 'heapwatch.slack.title',
  titleLink: 'heapwatch.slack.dashboard',
  color: 'heapwatch.slack.color',
  text: 'heapwatch.slack.text',
};

export function buildAlertmanagerConfig(c: ResolvedConfig): Record<string, any> {
  requireResolved(c, 'buildAlertmanagerConfig()');
  const m = buildRouteModel(c);
  // Read from the user's Secret at send time; the URL never appears in the manifests.
  const webhookFile = `${ALERTMANAGER_PATHS.slackSecret}/${c.slack.webhookSecretKey}`;
  const use = (field: SlackField) => `{{ template "${TEMPLATE_NAMES[field]}" . }}`;
  const route = (r: ChildRoute) => ({
    receiver: r.receiver,
    matchers: r.matchers.map(matcherText),
    ...(r.groupWait !== undefined && { group_wait: r.groupWait }),
    ...(r.groupInterval !== undefined && { group_interval: r.groupInterval }),
    ...(r.repeatInterval !== undefined && { repeat_interval: r.repeatInterval }),
  });
  return {
    global: { resolve_timeout: '5m' },
    templates: [`${ALERTMANAGER_PATHS.templates}/*.tmpl`],
    route: {
      receiver: m.receiver,
      group_by: [...m.groupBy],
      group_wait: m.groupWait,
      group_interval: m.groupInterval,
      repeat_interval: m.repeatInterval,
      routes: m.routes.map(route),
    },
    inhibit_rules: m.inhibitRules.map((r) => ({
      source_matchers: r.source.map(matcherText),
      target_matchers: r.target.map(matcherText),
      equal: [...r.equal],
    })),
    receivers: m.receivers.map((r) => ({
      name: r.name,
      ...(r.slack && {
        slack_configs: [{
          api_url_file: webhookFile,
          channel: r.slack.channel,
          send_resolved: r.slack.sendResolved,
          title: use('title'),
          title_link: use('titleLink'),
          text: use('text'),
          color: use('color'),
        }],
      }),
    })),
  };
}

/** TEMPLATE_FILE: the shared Slack message as named templates. */
export const SLACK_TEMPLATE = (['title', 'titleLink', 'color', 'text'] as const)
  .map((field) => `{{ define "${TEMPLATE_NAMES[field]}" -}}\n${SLACK_MESSAGE[field]}\n{{- end }}\n`)
  .join('\n');
