/** The operator-mode config the tests synthesize: kube-prometheus-stack installed as Helm release "kube-prometheus-stack". */
import assert from 'node:assert/strict';
import { Chart, Testing } from 'cdk8s';
import { ConfigError, DeployMode, HeapwatchConfigInput } from '../../src/config';
import { K8sObject } from './k8s-object';

export const KPS_RELEASE = 'kube-prometheus-stack';

export const OPERATOR_INPUT = { mode: DeployMode.OPERATOR, operator: { release: KPS_RELEASE } } as const satisfies HeapwatchConfigInput;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The problem a construct of one mode reports for a config of the other (src/config/mode.ts). */
export function modeMismatch(construct: string, given: DeployMode, useInstead: string): RegExp {
  const other = given === DeployMode.OPERATOR ? DeployMode.STANDALONE : DeployMode.OPERATOR;
  return new RegExp(`^${escape(`'config.mode' ("${given}") must be "${other}": ${construct} serves "${other}" mode only; with mode "${given}" use ${useInstead}`)}`);
}

/** Asserts that `build` is refused by the gate (a copied config), naming the construct or builder. */
export function assertGateRefuses(build: () => unknown, user: string): void {
  assert.throws(build, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    assert.equal(e.problems.length, 1, e.message);
    assert.ok(e.problems[0].startsWith(`'config' (an object resolveConfig() did not return) given to ${user} must be`), e.problems[0]);
    return true;
  });
}

/** The one object `build` adds to a fresh Testing.chart() (asserting it is one). */
export function synthOne(build: (chart: Chart) => unknown): K8sObject {
  const chart = Testing.chart();
  build(chart);
  const objects = Testing.synth(chart);
  assert.equal(objects.length, 1, objects.map((o) => o.kind).join(', '));
  return objects[0];
}
