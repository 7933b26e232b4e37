import { Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requireResolved, ResolvedConfig, throwIfPropProblems } from '../config';
import { MEMORY_DASHBOARD_FILE } from '../dashboard';
import { checksumAnnotation } from '../k8s/checksum';
import { allLabels, ComponentLabels, imageVersion, selectorLabels } from '../k8s/labels';
import { containerSecurity, podSecurity } from '../k8s/pod-security';
import { httpProbe } from '../k8s/probes';
import { resourceRequirements } from '../k8s/resources';
import { dashboardProblems } from './file-props';
import { GRAFANA, PROMETHEUS, serviceHost } from './names';

export interface GrafanaProps {
  /** The resolved heapwatch config. */
  readonly config: ResolvedConfig;
  /**
   * Dashboards to provision (file name -> JSON text), e.g. renderDashboards(config). Names end
   * in ".json", the files Grafana's file provider loads. The home dashboard is heapwatch's memory
   * dashboard when it is among them, else the first one.
   * @default - none
   */
  readonly dashboards?: Record<string, string>;
}

/** The datasource uid the dashboards' `$datasource` variable defaults to. */
export const PROMETHEUS_DATASOURCE_UID = 'heapwatch-prometheus';

const PATHS = {
  provisioning: '/etc/grafana/provisioning',
  dashboards: '/var/lib/grafana-dashboards/heapwatch',
  admin: '/etc/grafana/admin',
  data: '/var/lib/grafana',
} as const;

/** Grafana's provisioning files: the Prometheus datasource and a file dashboard provider. */
export function grafanaProvisioning(c: ResolvedConfig): { datasources: string; dashboards: string } {
  requireResolved(c, 'grafanaProvisioning()');
  return {
    datasources: Yaml.stringify({
      apiVersion: 1,
      datasources: [{
        name: 'Prometheus',
        uid: PROMETHEUS_DATASOURCE_UID,
        type: 'prometheus',
        access: 'proxy',
        url: `http://${serviceHost(PROMETHEUS.name, c.namespace)}:${PROMETHEUS.port}`,
        isDefault: true,
        editable: false,
        jsonData: { timeInterval: `${c.heap.checkIntervalSeconds}s` },
      }],
    }),
    dashboards: Yaml.stringify({
      apiVersion: 1,
      providers: [{
        name: 'heapwatch',
        folder: 'heapwatch',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        options: { path: PATHS.dashboards },
      }],
    }),
  };
}

/**
 * The file Grafana opens first: heapwatch's memory dashboard when it is provisioned, else the first
 * of the given dashboards, none without dashboards (Grafana then shows its own home page).
 */
export function homeDashboard(dashboards: Record<string, string>): string | undefined {
  return MEMORY_DASHBOARD_FILE in dashboards ? MEMORY_DASHBOARD_FILE : Object.keys(dashboards)[0];
}

/**
 * Grafana with the Prometheus datasource and heapwatch's dashboards provisioned from
 * ConfigMaps; admin credentials read from a user-created Secret through `__FILE` variables;
 * every writable path on an emptyDir so the root filesystem stays read-only.
 */
export class Grafana extends Construct {
  public readonly labels: ComponentLabels;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const c = requireResolved(props.config, 'Grafana');
    throwIfPropProblems('Grafana', dashboardProblems('dashboards', props.dashboards));
    const g = c.grafana;
    const ns = c.namespace;
    this.labels = { name: GRAFANA.name, component: 'dashboards', version: imageVersion(g.image) };
    const labels = allLabels(this.labels);
    const selector = selectorLabels(this.labels);
    const provisioning = grafanaProvisioning(c);
    const dashboards = props.dashboards ?? {};
    const home = homeDashboard(dashboards);

    const datasources = new k8s.KubeConfigMap(this, 'Datasources', {
      metadata: { name: `${GRAFANA.name}-datasources`, namespace: ns, labels },
      data: { 'heapwatch.yaml': provisioning.datasources },
    });
    const providers = new k8s.KubeConfigMap(this, 'DashboardProviders', {
      metadata: { name: `${GRAFANA.name}-dashboard-providers`, namespace: ns, labels },
      data: { 'heapwatch.yaml': provisioning.dashboards },
    });
    const dashboardMap = new k8s.KubeConfigMap(this, 'Dashboards', {
      metadata: { name: `${GRAFANA.name}-dashboards`, namespace: ns, labels },
      data: dashboards,
    });
    const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: GRAFANA.name, namespace: ns, labels },
      automountServiceAccountToken: false,
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: GRAFANA.name, namespace: ns, labels },
      spec: { selector, ports: [{ name: 'http', port: GRAFANA.port, targetPort: k8s.IntOrString.fromString('http') }] },
    });

    const emptyDirs = { data: PATHS.data, tmp: '/tmp', logs: '/var/log/grafana', plugins: '/var/lib/grafana-plugins' };
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: GRAFANA.name, namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        // One replica on an emptyDir sqlite: never run two at once against different state.
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels, annotations: checksumAnnotation(provisioning.datasources, provisioning.dashboards, ...Object.values(dashboards)) },
          spec: {
            serviceAccountName: sa.name,
            automountServiceAccountToken: false,
            securityContext: podSecurity(GRAFANA.uid),
            containers: [{
              name: GRAFANA.name,
              image: g.image,
              command: [GRAFANA.entrypoint],
              env: [
                { name: 'GF_SECURITY_ADMIN_USER__FILE', value: `${PATHS.admin}/admin-user` },
                { name: 'GF_SECURITY_ADMIN_PASSWORD__FILE', value: `${PATHS.admin}/admin-password` },
                { name: 'GF_SERVER_ROOT_URL', value: g.externalUrl },
                { name: 'GF_PATHS_DATA', value: emptyDirs.data },
                { name: 'GF_PATHS_LOGS', value: emptyDirs.logs },
                { name: 'GF_PATHS_PLUGINS', value: emptyDirs.plugins },
                { name: 'GF_PATHS_PROVISIONING', value: PATHS.provisioning },
                { name: 'GF_USERS_ALLOW_SIGN_UP', value: 'false' },
                { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'false' },
                { name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' },
                { name: 'GF_ANALYTICS_CHECK_FOR_UPDATES', value: 'false' },
                { name: 'GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES', value: 'false' },
                ...(home ? [{ name: 'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH', value: `${PATHS.dashboards}/${home}` }] : []),
              ],
              ports: [{ name: 'http', containerPort: GRAFANA.port }],
              readinessProbe: httpProbe('/api/health', 'http'),
              livenessProbe: httpProbe('/api/health', 'http', { periodSeconds: 15, failureThreshold: 4, initialDelaySeconds: 30 }),
              resources: resourceRequirements(g.resources),
              securityContext: containerSecurity(),
              volumeMounts: [
                { name: 'datasources', mountPath: `${PATHS.provisioning}/datasources`, readOnly: true },
                { name: 'dashboard-providers', mountPath: `${PATHS.provisioning}/dashboards`, readOnly: true },
                { name: 'dashboards', mountPath: PATHS.dashboards, readOnly: true },
                { name: 'admin', mountPath: PATHS.admin, readOnly: true },
                ...Object.entries(emptyDirs).map(([name, mountPath]) => ({ name, mountPath })),
              ],
            }],
            volumes: [
              { name: 'datasources', configMap: { name: datasources.name } },
              { name: 'dashboard-providers', configMap: { name: providers.name } },
              { name: 'dashboards', configMap: { name: dashboardMap.name } },
              // Created by the user (README): keys admin-user and admin-password.
              { name: 'admin', secret: { secretName: g.adminSecretName } },
              ...Object.keys(emptyDirs).map((name) => ({ name, emptyDir: {} })),
            ],
          },
        },
      },
    });
  }
}
