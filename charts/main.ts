/**
 * The default deployment: `npx cdk8s synth` runs this file and writes dist/.
 * The config comes from heapwatch.yaml (or the file HEAPWATCH_CONFIG names) when there is one.
 * An invalid config exits with every problem listed, before anything is written.
 */
import { ConfigError, loadConfigFile } from '../src/config';
import { createDefaultApp } from './default-app';

try {
  createDefaultApp(loadConfigFile().input).synth();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  // The problems are the whole story; a stack trace would only bury them.
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
}
