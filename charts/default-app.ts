/**
 * The default deployment as a function, so tests, benchmarks and the demo synthesize
 * exactly what `npx cdk8s synth` does (charts/main.ts only calls this and writes dist/).
 */
import { App, AppProps, Chart } from 'cdk8s';
import { HeapWatchedApp } from '../src/app';
import { HeapwatchConfigInput, resolveConfig } from '../src/config';
import { HeapwatchStack } from '../src/stack';
import { SAMPLE_APP_COMMAND } from './sample-app';

/**
 * Two charts, two files in dist/: the monitoring stack, and the watched sample app.
 * The config is resolved (and validated) first: an invalid one throws before anything is built.
 */
export function createDefaultApp(input: HeapwatchConfigInput = {}, props: AppProps = {}): App {
  const config = resolveConfig({ ...input, app: { command: SAMPLE_APP_COMMAND, ...input.app } });
  const app = new App(props);
  const stackChart = new Chart(app, 'heapwatch', { disableResourceNameHashes: true });
  new HeapwatchStack(stackChart, 'Stack', { config });
  const appChart = new Chart(app, config.app.name, { disableResourceNameHashes: true });
  new HeapWatchedApp(appChart, 'App', { config });
  return app;
}

/** Every object of the default deployment, in synth order. */
export function defaultManifests(input: HeapwatchConfigInput = {}): any[] {
  return createDefaultApp(input).charts.flatMap((chart) => chart.toJson());
}
