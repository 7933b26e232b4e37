/**
 * The default deployment as a function, so tests, benchmarks and the demo synthesize
 * exactly what `npx cdk8s synth` does (charts/main.ts only calls this and writes dist/).
 */
import { App, AppProps } from 'cdk8s';
import { HeapwatchConfigInput, resolveConfig } from '../src/config';

/** Resolves (and validates) the config first: an invalid one throws before anything is built. */
export function createDefaultApp(input: HeapwatchConfigInput = {}, props: AppProps = {}): App {
  const config = resolveConfig(input);
  const app = new App(props);
  void config; // HeapwatchStack and the sample HeapWatchedApp are added here as they land
  return app;
}

/** Every object of the default deployment, in synth order. */
export function defaultManifests(input: HeapwatchConfigInput = {}): any[] {
  return createDefaultApp(input).charts.flatMap((chart) => chart.toJson());
}
