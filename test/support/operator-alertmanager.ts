/**
 * A MOCK of prometheus-operator's Alertmanager config generation, since no operator (and no
 * Kubernetes API) runs here: it merges AlertmanagerConfig objects into a base alertmanager.yml the
 * way the operator does, so the real amtool can check and route the result. The rewrite is ours,
 * modelled on the operator's pkg/alertmanager/amcfg.go (v0.93): ConfigBuilder.AddAlertmanagerConfigs,
 * convertRoute, convertInhibitRule, convertSlackConfig, and the default enforcers
 * (continueToNextRoute around namespaceEnforcer, matcher strategy OnNamespace):
 * - receivers are renamed <namespace>/<name>/<receiver>, and so are the routes' references to them;
 * - the object's top route gets `continue: true`, loses any namespace matcher and gains
 *   namespace="<the object's namespace>";
 * - its inhibit rules gain the same namespace matcher on both sides;
 * - its routes go before the base config's own top-level routes;
 * - a Slack apiURL is read from the Secret key in the object's own namespace (refused when missing).
 * Only the fields heapwatch emits are converted; anything else throws rather than pretending.
 */
import { K8sObject } from './k8s-object';

/** Secret values by "namespace/name/key", standing in for the Secrets the operator would read. */
export type SecretStore = Readonly<Record<string, string>>;

/** kube-prometheus-stack 88's default alertmanager.yml (its values.yaml `alertmanager.config`). */
export function kubePrometheusStackBaseConfig(): Record<string, any> {
  return {
    global: { resolve_timeout: '5m' },
    inhibit_rules: [
      { source_matchers: ['severity = critical'], target_matchers: ['severity =~ warning|info'], equal: ['namespace', 'alertname'] },
      { source_matchers: ['severity = warning'], target_matchers: ['severity = info'], equal: ['namespace', 'alertname'] },
      { source_matchers: ['alertname = InfoInhibitor'], target_matchers: ['severity = info'], equal: ['namespace'] },
    ],
    route: {
      group_by: ['namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '12h',
      receiver: 'null',
      routes: [{ receiver: 'null', matchers: ['alertname = "Watchdog"'] }],
    },
    receivers: [{ name: 'null' }],
    templates: ['/etc/alertmanager/config/*.tmpl'],
  };
}

const ROUTE_FIELDS = new Set(['receiver', 'groupBy', 'groupWait', 'groupInterval', 'repeatInterval', 'matchers', 'continue', 'routes']);
const SLACK_FIELDS = new Set(['apiURL', 'channel', 'sendResolved', 'title', 'titleLink', 'text', 'color']);

/** The operator's Matcher.String(): name, match type, Go-quoted value. */
function matcherString(m: K8sObject): string {
  const type = m.matchType ?? (m.regex ? '=~' : '=');
  return `${m.name}${type}${JSON.stringify(m.value ?? '')}`;
}

function only(fields: Set<string>, obj: K8sObject, what: string): void {
  for (const k of Object.keys(obj)) if (!fields.has(k)) throw new Error(`${what}: field '${k}' is not modelled by this rewrite`);
}

function convertRoute(r: K8sObject, prefix: string): Record<string, any> {
  only(ROUTE_FIELDS, r, 'route');
  return {
    ...(r.receiver && { receiver: `${prefix}${r.receiver}` }),
    ...(r.groupBy && { group_by: [...r.groupBy] }),
    ...(r.groupWait && { group_wait: r.groupWait }),
    ...(r.groupInterval && { group_interval: r.groupInterval }),
    ...(r.repeatInterval && { repeat_interval: r.repeatInterval }),
    ...(r.matchers && { matchers: r.matchers.map(matcherString) }),
    ...(r.continue && { continue: true }),
    ...(r.routes && { routes: r.routes.map((c: K8sObject) => convertRoute(c, prefix)) }),
  };
}

export function rewriteAlertmanagerConfigs(base: Record<string, any>, amConfigs: readonly K8sObject[], secrets: SecretStore): Record<string, any> {
  const out = structuredClone(base);
  out.receivers ??= [];
  out.inhibit_rules ??= [];
  const subRoutes: any[] = [];
  const sorted = [...amConfigs].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const amc of sorted) {
    if (amc.apiVersion !== 'monitoring.coreos.com/v1alpha1' || amc.kind !== 'AlertmanagerConfig') throw new Error(`not an AlertmanagerConfig: ${amc.apiVersion} ${amc.kind}`);
    const ns: string = amc.metadata.namespace;
    const prefix = `${ns}/${amc.metadata.name}/`;
    const nsMatcher = `namespace=${JSON.stringify(ns)}`;
    const notNamespace = (m: string) => !/^namespace\s*(=|=~|!=|!~)/.test(m);
    for (const ir of amc.spec.inhibitRules ?? []) {
      out.inhibit_rules.push({
        source_matchers: [...(ir.sourceMatch ?? []).map(matcherString).filter(notNamespace), nsMatcher],
        target_matchers: [...(ir.targetMatch ?? []).map(matcherString).filter(notNamespace), nsMatcher],
        ...(ir.equal && { equal: [...ir.equal] }),
      });
    }
    if (!amc.spec.route) continue;
    const top = convertRoute(amc.spec.route, prefix);
    top.matchers = [...(top.matchers ?? []).filter(notNamespace), nsMatcher];
    top.continue = true;
    subRoutes.push(top);
    for (const r of amc.spec.receivers ?? []) {
      const receiver: Record<string, any> = { name: `${prefix}${r.name}` };
      for (const key of Object.keys(r)) if (key !== 'name' && key !== 'slackConfigs') throw new Error(`receiver field '${key}' is not modelled by this rewrite`);
      if (r.slackConfigs) {
        receiver.slack_configs = r.slackConfigs.map((s: K8sObject) => {
          only(SLACK_FIELDS, s, 'slackConfig');
          const ref = `${ns}/${s.apiURL?.name}/${s.apiURL?.key}`;
          const url = secrets[ref];
          if (url === undefined) throw new Error(`AlertmanagerConfig ${ns}/${amc.metadata.name}: failed to get Slack API URL: Secret key ${ref} not found`);
          return {
            api_url: url,
            ...(s.channel !== undefined && { channel: s.channel }),
            ...(s.sendResolved !== undefined && { send_resolved: s.sendResolved }),
            ...(s.title !== undefined && { title: s.title }),
            ...(s.titleLink !== undefined && { title_link: s.titleLink }),
            ...(s.text !== undefined && { text: s.text }),
            ...(s.color !== undefined && { color: s.color }),
          };
        });
      }
      out.receivers.push(receiver);
    }
  }
  out.route.routes = [...subRoutes, ...(out.route.routes ?? [])];
  return out;
}
