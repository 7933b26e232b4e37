import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { allLabels, ComponentLabels } from './labels';

/**
 * A Namespace whose pods must meet the "restricted" Pod Security Standard. Every heapwatch pod
 * does, so the API server may enforce it: a pod that would not is refused, not admitted.
 */
export function restrictedNamespace(scope: Construct, id: string, name: string, labels: ComponentLabels): k8s.KubeNamespace {
  return new k8s.KubeNamespace(scope, id, {
    metadata: { name, labels: { ...allLabels(labels), 'pod-security.kubernetes.io/enforce': 'restricted' } },
  });
}
