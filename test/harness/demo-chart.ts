/**
 * Synthesizes the default chart (exactly what `npx cdk8s synth` runs) with a given config
 * into an outdir, for the local pipeline to run from.
 */
import { createDefaultApp } from '../../charts/default-app';
import { HeapwatchConfigInput } from '../../src/config';

export function synthesizeDefaultChart(input: HeapwatchConfigInput, outdir: string): string {
  createDefaultApp(input, { outdir }).synth();
  return outdir;
}
