/**
 * The Slack message every heapwatch notification uses: summary, description (every heapwatch
 * alert's description carries the pod and the measured value), pod, severity, and the runbook and
 * dashboard links of every alert in the group. The standalone Alertmanager loads these as named
 * templates; an AlertmanagerConfig cannot reach named templates (they are global to the
 * Alertmanager), so operator mode inlines the same bodies into the Slack config's fields.
 */

/** Go-template bodies, by Slack field. */
export const SLACK_MESSAGE = {
  title: '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}' +
    '{{ with .CommonLabels.namespace }} {{ . }}{{ end }}{{ with .CommonLabels.pod }}/{{ . }}{{ end }}',
  titleLink: '{{ with index .Alerts 0 }}{{ .Annotations.dashboard_url }}{{ end }}',
  color: '{{ if eq .Status "resolved" }}good{{ else if eq .CommonLabels.severity "critical" }}danger{{ else }}warning{{ end }}',
  text: `{{ range .Alerts -}}
*{{ .Annotations.summary }}*{{ if eq .Status "resolved" }} (resolved){{ end }}
{{ .Annotations.description }}
{{ if .Labels.pod }}*Pod:* \`{{ .Labels.namespace }}/{{ .Labels.pod }}\`   {{ end }}*Severity:* {{ .Labels.severity }}
{{ with .Annotations.runbook_url }}<{{ . }}|Runbook>{{ end }}{{ with .Annotations.dashboard_url }} · <{{ . }}|Dashboard>{{ end }}
{{ end -}}`,
} as const;

export type SlackField = keyof typeof SLACK_MESSAGE;
