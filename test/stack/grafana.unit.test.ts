import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { resolveConfig } from '../../src/config';
import { MEMORY_DASHBOARD_FILE, renderDashboards } from '../../src/dashboard';
import { Grafana } from '../../src/stack';
import { container, envValue, find } from '../support/manifests';
import { assertPropsError } from '../support/props-error';

const config = resolveConfig();
const TEAM = JSON.stringify({ title: 'team', uid: 'team' });

function synth(dashboards?: Record<string, string>) {
  const chart = Testing.chart();
  new Grafana(chart, 'Grafana', { config, dashboards });
  return Testing.synth(chart);
}
const home = (objects: any[]) => envValue(container(find(objects, 'Deployment', 'grafana'), 'grafana'), 'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH');

describe('Grafana', () => {
  it('provisions the dashboards it is given and opens heapwatch\'s memory dashboard first', () => {
    const objects = synth({ 'team.json': TEAM, ...renderDashboards(config) });
    assert.deepEqual(Object.keys(find(objects, 'ConfigMap', 'grafana-dashboards').data).sort(), ['heapwatch-memory.json', 'team.json']);
    assert.equal(home(objects), `/var/lib/grafana-dashboards/heapwatch/${MEMORY_DASHBOARD_FILE}`);
  });

  it('opens the first given dashboard when heapwatch\'s own is not among them', () => {
    const objects = synth({ 'team.json': TEAM, 'other.json': '{}' });
    assert.equal(home(objects), '/var/lib/grafana-dashboards/heapwatch/team.json');
  });

  it('sets no home dashboard when it provisions none', () => {
    const objects = synth();
    assert.equal(home(objects), undefined);
    assert.ok(!container(find(objects, 'Deployment', 'grafana'), 'grafana').env.some((e: any) => e.name === 'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'));
  });

  it('fails if a dashboard would not be loaded or is not a JSON object, naming each at once', () => {
    assertPropsError(() => synth({ 'team.yaml': TEAM, 'list.json': '[]', 'bad.json': '{' }), 'Grafana', [
      /^'dashboards' has a file name \("team\.yaml"\) that must end in "\.json"/,
      /^'dashboards\["list\.json"\]' \("\[\]"\) must be a Grafana dashboard: a JSON object/,
      /^'dashboards\["bad\.json"\]' \("\{"\) must be JSON text, but does not parse/,
    ]);
  });
});
