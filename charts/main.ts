/**
 * The default deployment: `npx cdk8s synth` runs this file and writes dist/.
 * An invalid config throws with every problem listed, before anything is written.
 */
import { createDefaultApp } from './default-app';

createDefaultApp().synth();
