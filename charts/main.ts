/**
 * The default deployment: `npx cdk8s synth` runs this file.
 * The config is resolved (and validated) before anything is built; an invalid config
 * throws with every problem listed and nothing is written.
 */
import { App } from 'cdk8s';
import { resolveConfig } from '../src/config';

const config = resolveConfig({});
const app = new App();
void config; // the stack is composed here (HeapwatchStack) as it lands
app.synth();
