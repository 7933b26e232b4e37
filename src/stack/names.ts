/**
 * Object names and ports inside the stack's namespace. The Prometheus config, the
 * NetworkPolicies, the Grafana datasource and the tests all refer to these.
 *
 * `entrypoint` is the stock image's own ENTRYPOINT, which each container states as its command,
 * so no container in dist/ depends on what an image's metadata says to run:
 * prometheus/prometheus and prometheus/alertmanager's Dockerfiles run /bin/<name>; grafana/grafana's
 * runs /run.sh (packaging/docker/run.sh); kube-state-metrics' runs /kube-state-metrics with
 * --port and --telemetry-port, which its args state.
 */
export const PROMETHEUS = { name: 'prometheus', port: 9090, uid: 65534, entrypoint: '/bin/prometheus' } as const;
export const ALERTMANAGER = { name: 'alertmanager', headless: 'alertmanager-headless', port: 9093, clusterPort: 9094, uid: 65534, entrypoint: '/bin/alertmanager' } as const;
export const GRAFANA = { name: 'grafana', port: 3000, uid: 472, entrypoint: '/run.sh' } as const;
export const KUBE_STATE_METRICS = { name: 'kube-state-metrics', port: 8080, telemetryPort: 8081, uid: 65534, entrypoint: '/kube-state-metrics' } as const;

/** Where Prometheus reads its config and rules. */
export const PROMETHEUS_PATHS = { config: '/etc/prometheus/config', rules: '/etc/prometheus/rules', data: '/prometheus' } as const;
/** Where Alertmanager reads its config, templates and the Slack webhook file. */
export const ALERTMANAGER_PATHS = {
  config: '/etc/alertmanager/config',
  templates: '/etc/alertmanager/templates',
  slackSecret: '/etc/alertmanager/secrets/slack',
  data: '/alertmanager',
} as const;

/** In-cluster DNS name of a Service in a namespace. */
export const serviceHost = (service: string, namespace: string) => `${service}.${namespace}.svc`;

/** Stable DNS names of a StatefulSet's pods behind its headless Service. */
export function statefulPodHosts(name: string, headless: string, namespace: string, replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) => `${name}-${i}.${headless}.${namespace}.svc`);
}
