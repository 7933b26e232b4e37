#!/usr/bin/env node
/**
 * The `heapwatch` bin (package.json "bin"). Exit codes: 0 the report was printed (or the file
 * fetched), 1 a file is missing, unreadable or not what the report needs (the message names it)
 * or kubectl or the admin API failed, 2 a usage error.
 */
import { ReportInputError } from '../report/input';
import { report } from '../report/report';
import { parseArgs, USAGE, UsageError } from './args';
import { fetchArtifact, FetchError } from './fetch';
import { KubectlError } from './kubectl';

async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`heapwatch: ${err.problems.join('\nheapwatch: ')}\n\n${USAGE}\n`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (command.kind === 'fetch') process.stdout.write(`${await fetchArtifact(command)}\n`);
    else process.stdout.write(await report(command.files, { top: command.top, cwd: command.cwd }));
    return 0;
  } catch (err) {
    if (!(err instanceof ReportInputError || err instanceof FetchError || err instanceof KubectlError)) throw err;
    process.stderr.write(`heapwatch: ${err.message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`heapwatch: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
