import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TOP, parseArgs } from '../../src/cli/args';
import { usageProblems } from '../support/usage-problems';

const problems = (argv: string[]) => usageProblems(parseArgs, argv);

describe('heapwatch arguments', () => {
  it('takes report with one or two files, --top and --cwd in either form', () => {
    assert.deepEqual(parseArgs(['report', 'a.heapsnapshot']), { kind: 'report', files: ['a.heapsnapshot'], top: DEFAULT_TOP, cwd: undefined });
    assert.deepEqual(parseArgs(['report', '--top', '3', 'a', 'b', '--cwd=/app']), { kind: 'report', files: ['a', 'b'], top: 3, cwd: '/app' });
    assert.deepEqual(parseArgs(['--help']), { kind: 'help' });
    assert.deepEqual(parseArgs(['help']), { kind: 'help' });
  });

  it('fails if the command is missing or unknown', () => {
    assert.deepEqual(problems([]), ['a command is required; allowed: report, fetch']);
    assert.deepEqual(problems(['show', 'x']), ['unknown command "show"; allowed: report, fetch']);
  });

  it('fails with every problem at once, each naming the argument, the value and what is allowed', () => {
    assert.deepEqual(problems(['report', 'a', 'b', 'c', '--top', '0', '--cwd', 'app', '--json']), [
      'unknown option "--json"; allowed: --top N, --cwd DIR, -h, --help',
      '--top ("0") must be a whole number from 1 to 100',
      '--cwd ("app") must be an absolute path, the app\'s working directory (e.g. /app)',
      'report takes 1 or 2 files (FILE.heapsnapshot, BEFORE AFTER .heapsnapshot, or FILE.heapprofile), got 3: a b c',
    ]);
    assert.deepEqual(problems(['report', 'a', '--top']), ['--top needs a value']);
    assert.deepEqual(problems(['report', 'a', '--top', '2.5']), ['--top ("2.5") must be a whole number from 1 to 100']);
  });
});
