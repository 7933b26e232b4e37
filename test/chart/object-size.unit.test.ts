/**
 * Every object fits what `kubectl apply -f dist/` and the API server accept. Client-side apply
 * copies the whole object as JSON into its last-applied-configuration annotation, and an
 * object's annotations may total 256 KiB; a ConfigMap may hold 1 MiB of data. The code
 * ConfigMaps (src/app/code-delivery.ts) are the large ones: a failure here names the object
 * and its figure, so a bundle that grew shows up before a cluster refuses it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHART_VARIANTS, manifestsOf } from '../support/k8s-default-chart';
import { describeObject, K8sObject } from '../support/k8s-object';

/** apimachinery's TotalAnnotationSizeLimitB. */
const ANNOTATIONS_LIMIT = 256 * 1024;
/** The API server's limit on a ConfigMap's data and binaryData (core.MaxSecretSize). */
const CONFIGMAP_LIMIT = 1024 * 1024;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The annotations' size once kubectl apply has added its own (keys and values, as the API server counts them). */
function annotationsAfterApply(o: K8sObject): number {
  const own = Object.entries(o.metadata.annotations ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  return own + LAST_APPLIED.length + Buffer.byteLength(JSON.stringify(o));
}

/** A ConfigMap's data as the API server counts it: text values in UTF-8 bytes, binary values decoded. */
function configMapBytes(o: K8sObject): number {
  const text = Object.values(o.data ?? {}).reduce((n: number, v) => n + Buffer.byteLength(String(v)), 0);
  const binary = Object.values(o.binaryData ?? {}).reduce((n: number, v) => n + Buffer.from(String(v), 'base64').length, 0);
  return text + binary;
}

describe('every object fits kubectl apply and the API server', () => {
  for (const variant of CHART_VARIANTS) {
    it(variant.label, (t) => {
      const objects = manifestsOf(variant);
      const tooLarge = objects.filter((o) => annotationsAfterApply(o) > ANNOTATIONS_LIMIT)
        .map((o) => `${describeObject(o)}: ${annotationsAfterApply(o)} bytes of annotations after kubectl apply, the limit is ${ANNOTATIONS_LIMIT}`);
      const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
      tooLarge.push(...configMaps.filter((o) => configMapBytes(o) > CONFIGMAP_LIMIT)
        .map((o) => `${describeObject(o)}: ${configMapBytes(o)} bytes of data, the limit is ${CONFIGMAP_LIMIT}`));
      assert.deepEqual(tooLarge, []);
      const largest = [...objects].sort((a, b) => annotationsAfterApply(b) - annotationsAfterApply(a))[0];
      t.diagnostic(`largest: ${describeObject(largest)}, ${annotationsAfterApply(largest)} of ${ANNOTATIONS_LIMIT} bytes of annotations after kubectl apply`);
    });
  }
});
