/** mode and operator.*: validated like every other field, every problem at once, naming field, value and what is allowed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeployMode, HeapwatchConfigInput, resolveConfig } from '../../src/config';
import { allLabels, OWN_LABEL_NAMES } from '../../src/k8s/labels';
import { problemsOf } from '../support/config-problems';

function oneProblem(input: unknown): string {
  const p = problemsOf(input);
  assert.equal(p.length, 1, `expected one problem, got:\n${p.join('\n')}`);
  return p[0];
}

describe('config: mode and operator', () => {
  it('defaults to standalone, needing no release', () => {
    const c = resolveConfig();
    assert.equal(c.mode, DeployMode.STANDALONE);
    assert.deepEqual(c.operator, { release: undefined, labels: undefined, namespace: 'monitoring' });
  });

  it('accepts operator mode with a release, extra labels and a namespace (also as plain strings, as from a YAML file)', () => {
    const c = resolveConfig({ mode: 'operator', operator: { release: 'kps', labels: { team: 'payments', 'example.com/tier': 'gold' }, namespace: 'observability' } } as unknown as HeapwatchConfigInput);
    assert.equal(c.mode, DeployMode.OPERATOR);
    assert.deepEqual(c.operator, { release: 'kps', labels: { team: 'payments', 'example.com/tier': 'gold' }, namespace: 'observability' });
  });

  it('fails if mode is not one of the two, naming the allowed values', () => {
    assert.equal(oneProblem({ mode: 'kube-prometheus' }), `'mode' ("kube-prometheus") must be one of "standalone", "operator"`);
  });

  it('fails if operator mode has no release, saying what it is and where to find it', () => {
    assert.match(oneProblem({ mode: DeployMode.OPERATOR }), /^'operator\.release' \(undefined\) is required when mode is 'operator': kube-prometheus-stack's Helm release name.*helm list -A/);
  });

  it('fails if the release, a label name, a label value or the namespace is malformed, all at once', () => {
    const p = problemsOf({
      mode: DeployMode.OPERATOR,
      operator: { release: 'my release', labels: { 'bad key!': 'x', team: 'a b' }, namespace: 'Monitoring' },
    });
    assert.deepEqual(p.map((x) => x.slice(0, x.indexOf(')') + 1)), [
      `'operator.namespace' ("Monitoring")`,
      `'operator.release' ("my release")`,
      `'operator.labels' key ("bad key!")`,
      `'operator.labels.team' ("a b")`,
    ]);
    assert.match(p[1], /must be a Kubernetes label value/);
  });

  it('fails if operator.labels sets a different release than operator.release', () => {
    assert.match(oneProblem({ mode: DeployMode.OPERATOR, operator: { release: 'kps', labels: { release: 'other' } } }),
      /^'operator\.labels\.release' \("other"\) must not differ from 'operator\.release' \("kps"\)/);
  });

  it('fails if operator.labels would replace one of heapwatch\'s own labels, naming each', () => {
    const p = problemsOf({ mode: DeployMode.OPERATOR, operator: { release: 'kps', labels: { 'app.kubernetes.io/part-of': 'x', team: 'ok', 'app.kubernetes.io/name': 'y' } } });
    assert.equal(p.length, 2, p.join('\n'));
    assert.match(p[0], /^'operator\.labels' key \("app\.kubernetes\.io\/name"\) is one of heapwatch's own labels, .*choose another label name, such as "team"$/);
    assert.match(p[1], /^'operator\.labels' key \("app\.kubernetes\.io\/part-of"\) is one of heapwatch's own labels/);
    assert.match(p[1], /-l app\.kubernetes\.io\/part-of=heapwatch/);
    // The refused names are exactly the ones heapwatch sets.
    assert.deepEqual(Object.keys(allLabels({ name: 'n', component: 'c', version: '1' })).sort(), [...OWN_LABEL_NAMES].sort());
  });

  it('fails if operator.labels is not an object, or operator has an unknown field', () => {
    assert.match(oneProblem({ mode: DeployMode.OPERATOR, operator: { release: 'kps', labels: ['team=payments'] } }), /^'operator\.labels' \(\["team=payments"\]\) must be an object/);
    assert.match(oneProblem({ operator: { relase: 'kps' } }), /^'operator\.relase' \("kps"\) is not a known field; allowed here: release, labels, namespace/);
  });

  it('checks a release given in standalone mode too, so switching modes later holds no surprise', () => {
    assert.match(oneProblem({ operator: { release: '-kps' } }), /^'operator\.release' \("-kps"\) must be a Kubernetes label value/);
  });
});
