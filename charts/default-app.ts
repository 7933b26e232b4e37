/**
 * The default deployment as a function, so tests, benchmarks and the demo synthesize
 * exactly what `npx cdk8s synth` does (charts/main.ts only reads the config file, calls this
 * and writes dist/).
 */
import { App, AppProps, Chart } from 'cdk8s';
import { HeapWatchedApp } from '../src/app';
import { DeployMode, HeapwatchConfigInput, resolveConfig } from '../src/config';
import { restrictedNamespace } from '../src/k8s/namespace';
import { HeapwatchAppMonitoring, HeapwatchOperatorStack } from '../src/operator';
import { HeapwatchStack } from '../src/stack';
import { isSampleApp, SAMPLE_APP_NAMESPACE, withSampleApp } from './sample-app';

/**
 * Two charts, two files in dist/: the monitoring stack, and the watched app (the sample unless
 * the config names an image of its own). The config is resolved (and validated) first: an
 * invalid one throws before anything is built.
 * In operator mode the first holds only the PrometheusRule and dashboard ConfigMap for an existing
 * kube-prometheus-stack, and the app's chart adds its PodMonitor and AlertmanagerConfig.
 */
export function createDefaultApp(input: HeapwatchConfigInput = {}, props: AppProps = {}): App {
  const config = resolveConfig(withSampleApp(input));
  const app = new App(props);
  const stackChart = new Chart(app, 'heapwatch', { disableResourceNameHashes: true });
  const operator = config.mode === DeployMode.OPERATOR;
  if (operator) new HeapwatchOperatorStack(stackChart, 'Operator', { config });
  else new HeapwatchStack(stackChart, 'Stack', { config });
  const appChart = new Chart(app, config.app.name, { disableResourceNameHashes: true });
  // Only the sample's own namespace is created here: a user's app namespace is theirs, and a
  // Namespace object in dist/ would take it (and everything in it) down with `kubectl delete -f dist/`.
  if (isSampleApp(input) && config.app.namespace === SAMPLE_APP_NAMESPACE) {
    restrictedNamespace(appChart, 'Namespace', SAMPLE_APP_NAMESPACE, { name: SAMPLE_APP_NAMESPACE, component: 'sample' });
  }
  const watched = new HeapWatchedApp(appChart, 'App', { config });
  if (operator) new HeapwatchAppMonitoring(appChart, 'Monitoring', { config, app: watched });
  return app;
}

/** Every object of the default deployment, in synth order. */
export function defaultManifests(input: HeapwatchConfigInput = {}): any[] {
  return createDefaultApp(input).charts.flatMap((chart) => chart.toJson());
}
