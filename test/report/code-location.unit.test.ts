import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFrame, displayPath } from '../../src/report/code-location';

const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '1' });

describe('code locations in a report', () => {
  it('names a frame function (file:line) with the 0-based protocol line made 1-based', () => {
    assert.equal(describeFrame(frame('handle', '/app/src/cache.js', 41)), 'handle (/app/src/cache.js:42)');
    assert.equal(describeFrame(frame('', '/app/src/cache.js', 0)), '(anonymous) (/app/src/cache.js:1)');
    assert.equal(describeFrame(frame('set', '', -1)), 'set (native)');
    assert.equal(describeFrame(frame('(root)', '', -1)), '(root)');
  });

  it('shows paths relative to the app\'s working directory, file:// urls as paths, the rest as they are', () => {
    assert.equal(describeFrame(frame('handle', 'file:///app/dist/main.js', 9), '/app'), 'handle (dist/main.js:10)');
    assert.equal(displayPath('/app/src/a.js', '/app'), 'src/a.js');
    assert.equal(displayPath('/srv/other/a.js', '/app'), '/srv/other/a.js');
    assert.equal(displayPath('/application/a.js', '/app'), '/application/a.js');
    assert.equal(displayPath('node:internal/modules/cjs/loader', '/app'), 'node:internal/modules/cjs/loader');
  });
});
