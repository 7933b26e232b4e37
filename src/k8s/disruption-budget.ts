import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { allLabels, ComponentLabels, selectorLabels } from './labels';

/**
 * A PodDisruptionBudget allowing one pod down at a time, only where there is more than one:
 * a PDB over a single replica would block node drains forever.
 */
export function addDisruptionBudget(scope: Construct, id: string, who: ComponentLabels, namespace: string, replicas: number): void {
  if (replicas <= 1) return;
  new k8s.KubePodDisruptionBudget(scope, id, {
    metadata: { name: who.name, namespace, labels: allLabels(who) },
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels(who) } },
  });
}
