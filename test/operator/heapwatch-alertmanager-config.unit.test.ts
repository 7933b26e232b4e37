/** HeapwatchAlertmanagerConfig alone in a Testing.chart(): its object, its props' errors, the gate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chart, Testing } from 'cdk8s';
import { DeployMode, HeapwatchConfigInput, resolveConfig } from '../../src/config';
import { buildAlertmanagerConfigSpec, HEAPWATCH_ALERTS_MATCHER, HeapwatchAlertmanagerConfig } from '../../src/operator';
import { RECEIVERS } from '../../src/routing/route-model';
import { assertGateRefuses, KPS_RELEASE, modeMismatch, OPERATOR_INPUT, synthOne } from '../support/operator-config';
import { assertPropsError } from '../support/props-error';

const config = resolveConfig({ ...OPERATOR_INPUT, app: { name: 'checkout', namespace: 'shop' }, slack: { criticalChannel: '#pager' } });

describe('HeapwatchAlertmanagerConfig', () => {
  it('synthesizes the AlertmanagerConfig "heapwatch" in the app\'s namespace, for heapwatch\'s alerts, Slack from the Secret there', () => {
    const amc = synthOne((chart) => new HeapwatchAlertmanagerConfig(chart, 'Routes', { config }));
    assert.deepEqual([amc.apiVersion, amc.kind, amc.metadata.namespace, amc.metadata.name, amc.metadata.labels.release],
      ['monitoring.coreos.com/v1alpha1', 'AlertmanagerConfig', 'shop', 'heapwatch', KPS_RELEASE]);
    assert.deepEqual(amc.spec, buildAlertmanagerConfigSpec(config));
    assert.deepEqual(amc.spec.route.matchers, [HEAPWATCH_ALERTS_MATCHER]);
    assert.deepEqual(amc.spec.route.routes.map((r: any) => r.receiver), [RECEIVERS.watchdog, RECEIVERS.critical, RECEIVERS.warning]);
    const critical = amc.spec.receivers.find((r: any) => r.name === RECEIVERS.critical).slackConfigs[0];
    assert.deepEqual([critical.channel, critical.apiURL], ['#pager', { name: 'heapwatch-slack', key: 'webhook-url' }]);
  });

  describe('two apps in one namespace (one AlertmanagerConfig there)', () => {
    const app = (name: string, namespace: string, more: HeapwatchConfigInput = {}) =>
      resolveConfig({ ...OPERATOR_INPUT, ...more, app: { name, namespace } });
    const build = (...configs: ReturnType<typeof app>[]) => {
      const root = Testing.app();
      configs.forEach((config) => new HeapwatchAlertmanagerConfig(new Chart(root, config.app.name), 'Routes', { config }));
      return root.charts.flatMap((chart) => chart.toJson());
    };

    it('render the same object when their routing settings agree (other alertmanager settings do not matter here)', () => {
      const [a, b] = build(app('checkout', 'shop'), app('ledger', 'shop', { alertmanager: { replicas: 3 } }));
      assert.deepEqual(a, b);
    });

    it('fails if their slack or alertmanager routing settings differ, naming both apps and every field', () => {
      assertPropsError(() => build(
        app('checkout', 'shop'),
        app('ledger', 'shop', { slack: { criticalChannel: '#ledger-pager', webhookSecretName: 'ledger-slack' }, alertmanager: { repeatInterval: '1h' } }),
      ), 'HeapwatchAlertmanagerConfig', [
        /^'slack\.webhookSecretName' \("ledger-slack"\) of app "ledger" differs from app "checkout"'s \("heapwatch-slack"\): both are in namespace "shop"/,
        /^'slack\.criticalChannel' \("#ledger-pager"\) of app "ledger" differs from app "checkout"'s \("#heapwatch-critical"\)/,
        /^'alertmanager\.repeatInterval' \("1h"\) of app "ledger" differs .* or put them in different namespaces$/,
      ]);
    });

    it('may differ in different namespaces, and in different cdk8s Apps', () => {
      const shop = app('checkout', 'shop');
      const other = app('ledger', 'payments', { slack: { criticalChannel: '#ledger-pager' } });
      assert.equal(build(shop, other).length, 2);
      assert.equal(build(app('ledger', 'shop', { slack: { criticalChannel: '#ledger-pager' } })).length, 1);
    });
  });

  it('fails if the config is standalone', () => {
    assertPropsError(() => new HeapwatchAlertmanagerConfig(Testing.chart(), 'Routes', { config: resolveConfig() }), 'HeapwatchAlertmanagerConfig',
      [modeMismatch('HeapwatchAlertmanagerConfig', DeployMode.STANDALONE, 'HeapwatchStack')]);
    assertPropsError(() => buildAlertmanagerConfigSpec(resolveConfig()), 'buildAlertmanagerConfigSpec()',
      [modeMismatch('buildAlertmanagerConfigSpec()', DeployMode.STANDALONE, 'HeapwatchStack')]);
  });

  it('fails if the config is a copy of a resolved one (the gate)', () => {
    assertGateRefuses(() => new HeapwatchAlertmanagerConfig(Testing.chart(), 'Routes', { config: { ...config } }), 'HeapwatchAlertmanagerConfig');
    assertGateRefuses(() => buildAlertmanagerConfigSpec(JSON.parse(JSON.stringify(config))), 'buildAlertmanagerConfigSpec()');
  });
});
