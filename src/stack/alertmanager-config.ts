/**
 * alertmanager.yml and its Slack message template, from the config. Pure, so amtool can
 * check exactly what is synthesized and the demo can run a real Alertmanager on it.
 *
 * Routing: critical and warning to their Slack channels, Watchdog to its own receiver (so a
 * silent pipeline is noticed apart from real alerts), everything else (severity info) to a receiver that sends nothing. A critical
 * alert mutes warnings for the same pod, so a leaking pod pages once, for the right reason.
 */
import { requireResolved, ResolvedConfig } from '../config';
import { ALERTMANAGER_PATHS } from './names';

export const TEMPLATE_FILE = 'heapwatch.tmpl';
export const RECEIVERS = { none: 'null', watchdog: 'watchdog', critical: 'slack-critical', warning: 'slack-warning' } as const;

export function buildAlertmanagerConfig(c: ResolvedConfig): Record<string, any> {
  requireResolved(c, 'buildAlertmanagerConfig()');
  const a = c.alertmanager;
  const s = c.slack;
  // Read from the user's Secret at send time; the URL never appears in the manifests.
  const webhookFile = `${ALERTMANAGER_PATHS.slackSecret}/${s.webhookSecretKey}`;
  const slack = (channel: string, sendResolved: boolean) => s.enabled ? {
    slack_configs: [{
      api_url_file: webhookFile,
      channel,
      send_resolved: sendResolved,
      title: '{{ template "heapwatch.slack.title" . }}',
      title_link: '{{ template "heapwatch.slack.dashboard" . }}',
      text: '{{ template "heapwatch.slack.text" . }}',
      color: '{{ template "heapwatch.slack.color" . }}',
    }],
  } : {};
  return {
    global: { resolve_timeout: '5m' },
    templates: [`${ALERTMANAGER_PATHS.templates}/*.tmpl`],
    route: {
      receiver: RECEIVERS.none,
      group_by: ['alertname', 'namespace', 'pod'],
      group_wait: a.groupWait,
      group_interval: a.groupInterval,
      repeat_interval: a.repeatInterval,
      routes: [
        // The dead man's switch: delivered on its own, often, so its silence is noticed.
        { receiver: RECEIVERS.watchdog, matchers: ['alertname="Watchdog"'], group_wait: '0s', group_interval: '1m', repeat_interval: '5m' },
        { receiver: RECEIVERS.critical, matchers: ['severity="critical"'] },
        { receiver: RECEIVERS.warning, matchers: ['severity="warning"'] },
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['namespace', 'pod'] },
    ],
    receivers: [
      { name: RECEIVERS.none },
      { name: RECEIVERS.watchdog, ...slack(s.watchdogChannel, false) },
      { name: RECEIVERS.critical, ...slack(s.criticalChannel, true) },
      { name: RECEIVERS.warning, ...slack(s.warningChannel, true) },
    ],
  };
}

/**
 * The Slack message: summary, description (every heapwatch alert's description carries the
 * pod and the measured value), pod, severity, and the runbook and dashboard links of every
 * alert in the group.
 */
export const SLACK_TEMPLATE = `{{ define "heapwatch.slack.title" -}}
[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}{{ with .CommonLabels.namespace }} {{ . }}{{ end }}{{ with .CommonLabels.pod }}/{{ . }}{{ end }}
{{- end }}

{{ define "heapwatch.slack.dashboard" -}}
{{ with index .Alerts 0 }}{{ .Annotations.dashboard_url }}{{ end }}
{{- end }}

{{ define "heapwatch.slack.color" -}}
{{ if eq .Status "resolved" }}good{{ else if eq .CommonLabels.severity "critical" }}danger{{ else }}warning{{ end }}
{{- end }}

{{ define "heapwatch.slack.text" -}}
{{ range .Alerts -}}
*{{ .Annotations.summary }}*{{ if eq .Status "resolved" }} (resolved){{ end }}
{{ .Annotations.description }}
{{ if .Labels.pod }}*Pod:* \`{{ .Labels.namespace }}/{{ .Labels.pod }}\`   {{ end }}*Severity:* {{ .Labels.severity }}
{{ with .Annotations.runbook_url }}<{{ . }}|Runbook>{{ end }}{{ with .Annotations.dashboard_url }} · <{{ . }}|Dashboard>{{ end }}
{{ end -}}
{{- end }}
`;
