/**
 * The default deployment as a function, so tests, benchmarks and the demo synthesize
 * exactly what `npx cdk8s synth` does (charts/main.ts only calls this and writes dist/).
 */
import { App, AppProps, Chart } from 'cdk8s';
import { HeapwatchConfigInput, resolveConfig } from '../src/config';
import { HeapwatchStack } from '../src/stack';

/** Resolves (and validates) the config first: an invalid one throws before anything is built. */
export function createDefaultApp(input: HeapwatchConfigInput = {}, props: AppProps = {}): App {
  const config = resolveConfig(input);
  const app = new App(props);
  const stackChart = new Chart(app, 'heapwatch', { disableResourceNameHashes: true });
  new HeapwatchStack(stackChart, 'Stack', { config });
  return app;
}

/** Every object of the default deployment, in synth order. */
export function defaultManifests(input: HeapwatchConfigInput = {}): any[] {
  return createDefaultApp(input).charts.flatMap((chart) => chart.toJson());
}
