import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fixtureAlertmanagerConfig,
  fixtureConfigMap,
  fixtureCronJob,
  fixtureDeployment,
  fixtureLabels,
  fixtureNetworkPolicy,
  fixturePdb,
  fixturePodMonitor,
  fixturePrometheusRule,
  fixtureRole,
  fixtureSelector,
  fixtureService,
  fixtureStatefulSet,
} from '../fixtures/k8s-objects';
import { CHART_VARIANTS, manifestsOf, missingKinds } from '../support/k8s-default-chart';
import { describeObject, K8sObject, podTemplateOf } from '../support/k8s-object';
import { checkPolicy, formatViolation, PolicyRule, PolicyViolation } from '../support/k8s-policy';

/** A compliant set of objects: every rule has something to look at and nothing to report. */
function compliant(): K8sObject[] {
  return [
    fixtureDeployment('web'),
    fixtureStatefulSet('store', 2),
    fixturePdb('store'),
    fixtureCronJob('nightly'),
    fixtureService('web'),
    fixtureNetworkPolicy(),
    fixtureConfigMap(),
    fixtureRole([{ apiGroups: [''], resources: ['pods', 'endpoints'], verbs: ['get', 'list', 'watch'] }]),
    fixturePrometheusRule(),
    fixturePodMonitor('web'),
    fixtureAlertmanagerConfig(),
  ];
}

/** The compliant set with the object of `kind` (first match, or `name`) changed by `mutate`. */
function withChange(kind: string, mutate: (o: K8sObject) => void, name?: string): K8sObject[] {
  const objects = compliant();
  const target = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.ok(target, `fixture has a ${kind}`);
  mutate(target);
  return objects;
}

/** Asserts that every violation is of `rule` (there is at least one) and returns them. */
function onlyRule(objects: K8sObject[], rule: PolicyRule): PolicyViolation[] {
  const v = checkPolicy(objects);
  assert.ok(v.length > 0, `expected a ${rule} violation, got none`);
  assert.deepEqual(
    v.filter((x) => x.rule !== rule).map(formatViolation),
    [],
    `expected only ${rule} violations`,
  );
  return v;
}

/** Asserts exactly one violation, of `rule`, at `path`. */
function oneViolation(objects: K8sObject[], rule: PolicyRule, path: string, message?: RegExp): PolicyViolation {
  const v = onlyRule(objects, rule);
  assert.equal(v.length, 1, `expected one violation, got:\n${v.map(formatViolation).join('\n')}`);
  assert.equal(v[0].path, path);
  if (message) assert.match(v[0].message, message);
  return v[0];
}

const web = (d: K8sObject) => d.spec.template.spec;
const webContainer = (d: K8sObject) => d.spec.template.spec.containers[0];
const C0 = 'spec.template.spec.containers[0]';
const I0 = 'spec.template.spec.initContainers[0]';

describe('policy checker', () => {
  it('passes a compliant set of objects', () => {
    assert.deepEqual(checkPolicy(compliant()).map(formatViolation), []);
  });

  it('names the object, the path and the rule', () => {
    const v = oneViolation(withChange('Deployment', (d) => (webContainer(d).securityContext.readOnlyRootFilesystem = false)), PolicyRule.READ_ONLY_ROOT_FILESYSTEM, `${C0}.securityContext.readOnlyRootFilesystem`);
    assert.equal(v.object, 'Deployment k8s-fixture/web');
    assert.deepEqual([v.kind, v.namespace, v.name], ['Deployment', 'k8s-fixture', 'web']);
    assert.match(formatViolation(v), /^Deployment k8s-fixture\/web: spec\.template\.spec\.containers\[0\]\.securityContext\.readOnlyRootFilesystem: \[read-only-root-filesystem\] /);
  });

  describe(PolicyRule.RUN_AS_NON_ROOT, () => {
    it('fails if neither the pod nor the container sets runAsNonRoot', () => {
      const objects = withChange('Deployment', (d) => {
        delete web(d).securityContext.runAsNonRoot;
        delete webContainer(d).securityContext.runAsNonRoot;
      });
      oneViolation(objects, PolicyRule.RUN_AS_NON_ROOT, `${C0}.securityContext.runAsNonRoot`, /container 'web' may run as root/);
    });

    it('fails if a container overrides the pod with runAsNonRoot false', () => {
      oneViolation(withChange('Deployment', (d) => (web(d).initContainers[0].securityContext.runAsNonRoot = false)), PolicyRule.RUN_AS_NON_ROOT, `${I0}.securityContext.runAsNonRoot`);
    });

    it('fails if a container runs as uid 0', () => {
      oneViolation(withChange('Deployment', (d) => (webContainer(d).securityContext.runAsUser = 0)), PolicyRule.RUN_AS_NON_ROOT, `${C0}.securityContext.runAsUser`);
    });

    it('passes when only the pod sets runAsNonRoot', () => {
      const objects = withChange('Deployment', (d) => {
        delete webContainer(d).securityContext.runAsNonRoot;
        delete web(d).initContainers[0].securityContext.runAsNonRoot;
      });
      assert.deepEqual(checkPolicy(objects).map(formatViolation), []);
    });
  });

  describe(PolicyRule.READ_ONLY_ROOT_FILESYSTEM, () => {
    it('fails if an init container has a writable root filesystem', () => {
      oneViolation(withChange('Deployment', (d) => delete web(d).initContainers[0].securityContext.readOnlyRootFilesystem), PolicyRule.READ_ONLY_ROOT_FILESYSTEM, `${I0}.securityContext.readOnlyRootFilesystem`);
    });
  });

  describe(PolicyRule.NO_PRIVILEGE_ESCALATION, () => {
    it('fails if allowPrivilegeEscalation is not set to false', () => {
      oneViolation(withChange('StatefulSet', (s) => delete webContainer(s).securityContext.allowPrivilegeEscalation), PolicyRule.NO_PRIVILEGE_ESCALATION, `${C0}.securityContext.allowPrivilegeEscalation`);
    });

    it('fails if a container is privileged', () => {
      oneViolation(withChange('Deployment', (d) => (webContainer(d).securityContext.privileged = true)), PolicyRule.NO_PRIVILEGE_ESCALATION, `${C0}.securityContext.privileged`);
    });
  });

  describe(PolicyRule.DROP_ALL_CAPABILITIES, () => {
    it('fails if capabilities drop does not include ALL', () => {
      oneViolation(withChange('Deployment', (d) => (webContainer(d).securityContext.capabilities = { drop: ['NET_RAW'] })), PolicyRule.DROP_ALL_CAPABILITIES, `${C0}.securityContext.capabilities.drop`, /\["NET_RAW"\]/);
    });
  });

  describe(PolicyRule.SECCOMP_RUNTIME_DEFAULT, () => {
    it('fails if a container overrides the seccomp profile with Unconfined', () => {
      oneViolation(withChange('Deployment', (d) => (webContainer(d).securityContext.seccompProfile = { type: 'Unconfined' })), PolicyRule.SECCOMP_RUNTIME_DEFAULT, `${C0}.securityContext.seccompProfile.type`, /"Unconfined"/);
    });

    it('fails if no seccomp profile is set on the pod or the containers', () => {
      const objects = withChange('CronJob', (c) => {
        const spec = c.spec.jobTemplate.spec.template.spec;
        delete spec.securityContext.seccompProfile;
        for (const k of [...spec.initContainers, ...spec.containers]) delete k.securityContext.seccompProfile;
      });
      const v = onlyRule(objects, PolicyRule.SECCOMP_RUNTIME_DEFAULT);
      assert.deepEqual(v.map((x) => x.path), [
        'spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.seccompProfile.type',
        'spec.jobTemplate.spec.template.spec.containers[0].securityContext.seccompProfile.type',
      ]);
    });
  });

  describe(PolicyRule.REQUESTS_AND_LIMITS, () => {
    it('fails if a container has no memory limit', () => {
      oneViolation(withChange('Deployment', (d) => delete webContainer(d).resources.limits.memory), PolicyRule.REQUESTS_AND_LIMITS, `${C0}.resources.limits.memory`, /no memory limit/);
    });

    it('fails if an init container has no requests at all', () => {
      const v = onlyRule(withChange('Deployment', (d) => delete web(d).initContainers[0].resources.requests), PolicyRule.REQUESTS_AND_LIMITS);
      assert.deepEqual(v.map((x) => x.path), [`${I0}.resources.requests.cpu`, `${I0}.resources.requests.memory`]);
    });
  });

  describe(PolicyRule.EXPLICIT_IMAGE_TAG, () => {
    it('fails if an image uses :latest', () => {
      oneViolation(withChange('Deployment', (d) => (webContainer(d).image = 'registry.example.test/team/web:latest')), PolicyRule.EXPLICIT_IMAGE_TAG, `${C0}.image`, /'latest'/);
    });

    it('fails if an image has no tag (a registry port is not a tag)', () => {
      oneViolation(withChange('Deployment', (d) => (web(d).initContainers[0].image = 'registry.example.test:5000/team/web')), PolicyRule.EXPLICIT_IMAGE_TAG, `${I0}.image`, /has no tag/);
    });

    it('passes an image pinned by digest', () => {
      const objects = withChange('Deployment', (d) => (webContainer(d).image = `registry.example.test/team/web@sha256:${'ab'.repeat(32)}`));
      assert.deepEqual(checkPolicy(objects).map(formatViolation), []);
    });
  });

  describe(PolicyRule.PROBES, () => {
    it('fails if a long-running container has no liveness probe', () => {
      oneViolation(withChange('StatefulSet', (s) => delete webContainer(s).livenessProbe), PolicyRule.PROBES, `${C0}.livenessProbe`);
    });

    it('fails if a long-running container has no readiness probe', () => {
      oneViolation(withChange('Deployment', (d) => delete webContainer(d).readinessProbe), PolicyRule.PROBES, `${C0}.readinessProbe`);
    });

    it('fails if a native sidecar (init container with restartPolicy Always) has no probes', () => {
      const v = onlyRule(withChange('Deployment', (d) => (web(d).initContainers[0].restartPolicy = 'Always')), PolicyRule.PROBES);
      assert.deepEqual(v.map((x) => x.path), [`${I0}.readinessProbe`, `${I0}.livenessProbe`]);
    });

    it('does not ask for probes on init containers or Jobs (the compliant set has both without)', () => {
      const objects = compliant();
      assert.equal(objects.find((o) => o.kind === 'CronJob')!.spec.jobTemplate.spec.template.spec.containers[0].livenessProbe, undefined);
      assert.deepEqual(checkPolicy(objects).filter((v) => v.rule === PolicyRule.PROBES), []);
    });
  });

  describe(PolicyRule.NO_SERVICE_ACCOUNT_TOKEN, () => {
    it('fails if a pod does not opt out of the service-account token', () => {
      oneViolation(withChange('Deployment', (d) => delete web(d).automountServiceAccountToken), PolicyRule.NO_SERVICE_ACCOUNT_TOKEN, 'spec.template.spec.automountServiceAccountToken', /"web"/);
    });

    it('fails if a pod mounts it explicitly', () => {
      oneViolation(withChange('CronJob', (c) => (c.spec.jobTemplate.spec.template.spec.automountServiceAccountToken = true)), PolicyRule.NO_SERVICE_ACCOUNT_TOKEN, 'spec.jobTemplate.spec.template.spec.automountServiceAccountToken');
    });

    it('lets Prometheus and kube-state-metrics mount it (by app.kubernetes.io/name)', () => {
      const objects = compliant();
      for (const name of ['prometheus', 'kube-state-metrics']) {
        const d = fixtureDeployment(name);
        d.spec.template.spec.automountServiceAccountToken = true;
        objects.push(d);
      }
      assert.deepEqual(checkPolicy(objects).map(formatViolation), []);
    });
  });

  describe('rbac', () => {
    it('fails if a Role uses a wildcard verb', () => {
      oneViolation(withChange('Role', (r) => (r.rules[0].verbs = ['*'])), PolicyRule.RBAC_NO_WILDCARDS, 'rules[0].verbs[0]');
    });

    it('fails if a ClusterRole uses a wildcard resource or API group', () => {
      const v = onlyRule([...compliant(), fixtureRole([{ apiGroups: ['*'], resources: ['pods', 'deployments/*'], verbs: ['get'] }], 'ClusterRole')], PolicyRule.RBAC_NO_WILDCARDS);
      assert.deepEqual(v.map((x) => x.path), ['rules[0].apiGroups[0]', 'rules[0].resources[1]']);
    });

    it('fails if a Role grants any access to secrets', () => {
      oneViolation(withChange('Role', (r) => r.rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] })), PolicyRule.RBAC_NO_SECRETS, 'rules[1].resources[0]');
    });

    it('fails if a binding uses the built-in cluster-admin role', () => {
      const binding = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'too-much', labels: fixtureLabels('too-much') },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'x', namespace: 'k8s-fixture' }],
      };
      oneViolation([...compliant(), binding], PolicyRule.RBAC_NO_WILDCARDS, 'roleRef.name');
    });
  });

  describe(PolicyRule.NETWORK_POLICY, () => {
    it('fails if no NetworkPolicy selects a pod', () => {
      const objects = compliant().filter((o) => o.kind !== 'NetworkPolicy');
      objects.push(fixtureNetworkPolicy('web-only', { matchLabels: fixtureSelector('web') }));
      const v = onlyRule(objects, PolicyRule.NETWORK_POLICY);
      assert.deepEqual(v.map((x) => x.object).sort(), ['CronJob k8s-fixture/nightly', 'StatefulSet k8s-fixture/store']);
    });

    it('fails if the only matching NetworkPolicy is in another namespace', () => {
      const objects = withChange('NetworkPolicy', (np) => (np.metadata.namespace = 'elsewhere'));
      assert.equal(onlyRule(objects, PolicyRule.NETWORK_POLICY).length, 3);
    });

    it('honours matchExpressions', () => {
      const objects = compliant().filter((o) => o.kind !== 'NetworkPolicy');
      objects.push(fixtureNetworkPolicy('not-web', { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['web'] }] }));
      oneViolation(objects, PolicyRule.NETWORK_POLICY, 'spec.template.metadata.labels');
    });
  });

  describe(PolicyRule.POD_DISRUPTION_BUDGET, () => {
    it('fails if a workload with replicas > 1 has no PodDisruptionBudget selecting it', () => {
      oneViolation(withChange('Deployment', (d) => (d.spec.replicas = 3)), PolicyRule.POD_DISRUPTION_BUDGET, 'spec.replicas', /3 replicas/);
    });

    it('fails if the PodDisruptionBudget selects other pods', () => {
      oneViolation(withChange('PodDisruptionBudget', (p) => (p.spec.selector.matchLabels['app.kubernetes.io/name'] = 'web')), PolicyRule.POD_DISRUPTION_BUDGET, 'spec.replicas');
    });
  });

  describe(PolicyRule.NO_INSPECTOR, () => {
    it('fails if a container exposes port 9229', () => {
      oneViolation(withChange('Deployment', (d) => webContainer(d).ports.push({ name: 'debug', containerPort: 9229 })), PolicyRule.NO_INSPECTOR, `${C0}.ports[1].containerPort`);
    });

    it('fails if a probe targets port 9229', () => {
      oneViolation(withChange('Deployment', (d) => (webContainer(d).livenessProbe = { tcpSocket: { port: 9229 } })), PolicyRule.NO_INSPECTOR, `${C0}.livenessProbe.tcpSocket.port`);
    });

    it('fails if an arg enables --inspect', () => {
      oneViolation(withChange('Deployment', (d) => webContainer(d).args.push('--inspect=0.0.0.0:9229')), PolicyRule.NO_INSPECTOR, `${C0}.args[1]`, /enables the inspector/);
    });

    it('fails if NODE_OPTIONS enables --inspect-brk', () => {
      oneViolation(withChange('Deployment', (d) => (webContainer(d).env = [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=768 --inspect-brk' }])), PolicyRule.NO_INSPECTOR, `${C0}.env[0].value`);
    });

    it('fails if a Service forwards port 9229', () => {
      oneViolation(withChange('Service', (s) => s.spec.ports.push({ name: 'debug', port: 9229, targetPort: 'debug' })), PolicyRule.NO_INSPECTOR, 'spec.ports[1].port');
    });

    it('fails if a config points at host:9229', () => {
      oneViolation(withChange('ConfigMap', (c) => (c.data['prometheus.yml'] = 'targets: ["web:9229"]\n')), PolicyRule.NO_INSPECTOR, 'data["prometheus.yml"]');
    });
  });

  describe(PolicyRule.RECOMMENDED_LABELS, () => {
    it('fails if an object lacks an app.kubernetes.io label', () => {
      oneViolation(withChange('ConfigMap', (c) => delete c.metadata.labels['app.kubernetes.io/part-of']), PolicyRule.RECOMMENDED_LABELS, 'metadata.labels["app.kubernetes.io/part-of"]');
    });

    it('fails if a pod template lacks one', () => {
      oneViolation(withChange('Deployment', (d) => delete d.spec.template.metadata.labels['app.kubernetes.io/component']), PolicyRule.RECOMMENDED_LABELS, 'spec.template.metadata.labels["app.kubernetes.io/component"]');
    });

    it('fails if an object has no labels at all, once per required label', () => {
      const v = onlyRule(withChange('Role', (r) => delete r.metadata.labels), PolicyRule.RECOMMENDED_LABELS);
      assert.equal(v.length, 5);
    });
  });

  describe(PolicyRule.SELECTOR_WITHOUT_VERSION, () => {
    it('fails if a workload selector includes app.kubernetes.io/version', () => {
      oneViolation(withChange('StatefulSet', (s) => (s.spec.selector.matchLabels['app.kubernetes.io/version'] = '1.2.3')), PolicyRule.SELECTOR_WITHOUT_VERSION, 'spec.selector');
    });

    it('fails if a Service selector includes it', () => {
      oneViolation(withChange('Service', (s) => (s.spec.selector['app.kubernetes.io/version'] = '1.2.3')), PolicyRule.SELECTOR_WITHOUT_VERSION, 'spec.selector');
    });

    it('fails if a NetworkPolicy peer selector includes it', () => {
      const objects = withChange('NetworkPolicy', (np) => (np.spec.ingress = [{ from: [{ podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/version', operator: 'Exists' }] } }] }]));
      oneViolation(objects, PolicyRule.SELECTOR_WITHOUT_VERSION, 'spec.ingress[0].from[0].podSelector');
    });
  });
});

describe('policy checker: prometheus-operator objects', () => {
  describe(PolicyRule.MONITOR_SELECTS_PODS, () => {
    it('fails if a PodMonitor selects no pod template (and then the AlertmanagerConfig beside it routes nothing)', () => {
      const objects = withChange('PodMonitor', (pm) => (pm.spec.selector.matchLabels['app.kubernetes.io/name'] = 'webb'));
      assert.deepEqual(checkPolicy(objects).map((x) => `${x.rule} ${x.object} ${x.path}`), [
        'monitor-selects-pods PodMonitor k8s-fixture/web spec.selector',
        'alertmanager-config-namespace AlertmanagerConfig k8s-fixture/routes metadata.namespace',
      ]);
    });

    it('fails if its port is not a container port name of the pods it selects (a number, or a typo)', () => {
      oneViolation(withChange('PodMonitor', (pm) => (pm.spec.podMetricsEndpoints[0].port = 'hw-metrcs')), PolicyRule.MONITOR_SELECTS_PODS,
        'spec.podMetricsEndpoints[0].port', /"hw-metrcs" is not a container port name of Deployment k8s-fixture\/web \(names: http\)/);
    });

    it('fails if it looks in another namespace', () => {
      const objects = withChange('PodMonitor', (pm) => (pm.spec.namespaceSelector = { matchNames: ['elsewhere'] }));
      const v = checkPolicy(objects).filter((x) => x.rule === PolicyRule.MONITOR_SELECTS_PODS);
      assert.deepEqual(v.map((x) => x.path), ['spec.selector']);
    });
  });

  describe(PolicyRule.OPERATOR_RELEASE_LABEL, () => {
    for (const kind of ['PrometheusRule', 'PodMonitor', 'AlertmanagerConfig']) {
      it(`fails if a ${kind} has no release label`, () => {
        oneViolation(withChange(kind, (o) => delete o.metadata.labels.release), PolicyRule.OPERATOR_RELEASE_LABEL, 'metadata.labels.release', /would ignore it/);
      });
    }
  });

  describe(PolicyRule.ALERTMANAGER_CONFIG_NAMESPACE, () => {
    it('fails if an AlertmanagerConfig sits in a namespace without monitored pods', () => {
      oneViolation(withChange('AlertmanagerConfig', (o) => (o.metadata.namespace = 'monitoring')), PolicyRule.ALERTMANAGER_CONFIG_NAMESPACE,
        'metadata.namespace', /only its own namespace's alerts/);
    });
  });
});

describe('policy over everything the default chart synthesizes', () => {
  for (const variant of CHART_VARIANTS) {
    describe(variant.label, () => {
      it('contains at least the expected kinds', () => {
        assert.deepEqual(missingKinds(manifestsOf(variant), variant.expectedKinds), []);
      });

      it('has zero policy violations', (t) => {
        const objects = manifestsOf(variant);
        const pods = objects.filter((o) => podTemplateOf(o));
        t.diagnostic(`${objects.length} objects, ${pods.length} with pods: ${pods.map(describeObject).join(', ')}`);
        assert.deepEqual(checkPolicy(objects).map(formatViolation), []);
      });
    });
  }

  it('every workload with replicas > 1 in the replicated chart is covered by a PodDisruptionBudget it really selects', () => {
    // Guards the PDB rule against passing vacuously: the variant must really scale something.
    const objects = manifestsOf(CHART_VARIANTS[1]);
    const scaled = objects.filter((o) => (o.spec?.replicas ?? 1) > 1).map(describeObject).sort();
    assert.deepEqual(scaled, ['Deployment heapwatch-sample/sample-app', 'StatefulSet heapwatch/alertmanager', 'StatefulSet heapwatch/prometheus']);
    assert.deepEqual(checkPolicy(objects).filter((v) => v.rule === PolicyRule.POD_DISRUPTION_BUDGET), []);
  });
});
