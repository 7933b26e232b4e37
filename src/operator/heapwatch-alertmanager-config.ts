import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ResolvedConfig, throwIfPropProblems } from '../config';
import { show } from '../config/show';
import { buildAlertmanagerConfigSpec, ROUTING_FIELDS, routingField } from './alertmanager-config-spec';
import { operatorConfig } from './operator-config';
import { MONITORING_V1ALPHA1, operatorLabels } from './operator-labels';

/** The AlertmanagerConfig's name in each app namespace: one per namespace, whatever the number of apps. */
export const ALERTMANAGER_CONFIG_NAME = 'heapwatch';

export interface HeapwatchAlertmanagerConfigProps {
  /** The resolved config of the watched app (resolveConfig()), mode 'operator'. */
  readonly config: ResolvedConfig;
}

/**
 * heapwatch's routes in the app's namespace, for kube-prometheus-stack's Alertmanager: the severity
 * routes, Watchdog's own receiver, critical inhibits warning, Slack from the Secret
 * slack.webhookSecretName in this namespace. prometheus-operator routes it only the alerts whose
 * namespace label is this namespace. Two apps in one namespace render the same object, so their
 * routing settings must agree: one whose settings differ from an app before it in the same
 * namespace (in the same cdk8s App) is refused, naming both apps and every field that differs.
 * One object per app with an `app` matcher instead would leave the namespace's one Watchdog
 * (which has no app) and the one Slack Secret to an arbitrary app, and split what prometheus-operator
 * and a platform team treat as one unit, the namespace.
 */
export class HeapwatchAlertmanagerConfig extends Construct {
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: HeapwatchAlertmanagerConfigProps) {
    super(scope, id);
    const c = operatorConfig(props.config, 'HeapwatchAlertmanagerConfig');
    throwIfPropProblems('HeapwatchAlertmanagerConfig', sharedNamespaceProblems(this.node.root, c));
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: MONITORING_V1ALPHA1,
      kind: 'AlertmanagerConfig',
      metadata: { name: ALERTMANAGER_CONFIG_NAME, namespace: c.app.namespace, labels: operatorLabels(c, 'heapwatch-routes') },
      spec: buildAlertmanagerConfigSpec(c),
    });
  }
}

/** The first config that made each namespace's AlertmanagerConfig, per construct tree (cdk8s App). */
const firstByNamespace = new WeakMap<IConstruct, Map<string, ResolvedConfig>>();

function sharedNamespaceProblems(root: IConstruct, c: ResolvedConfig): string[] {
  const seen = firstByNamespace.get(root) ?? new Map<string, ResolvedConfig>();
  firstByNamespace.set(root, seen);
  const first = seen.get(c.app.namespace);
  if (first === undefined) {
    seen.set(c.app.namespace, c);
    return [];
  }
  return ROUTING_FIELDS.filter((f) => routingField(first, f) !== routingField(c, f)).map((f) =>
    `'${f}' (${show(routingField(c, f))}) of app ${show(c.app.name)} differs from app ${show(first.app.name)}'s (${show(routingField(first, f))}): ` +
    `both are in namespace ${show(c.app.namespace)}, whose one AlertmanagerConfig "${ALERTMANAGER_CONFIG_NAME}" routes the alerts of every app there ` +
    '(prometheus-operator matches on the namespace); give the apps of one namespace the same slack and alertmanager routing settings, or put them in different namespaces');
}
