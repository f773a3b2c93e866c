/** Item 4: prompt files are regular UTF-8 files of bounded size; FIFOs, devices and folders are refused at once. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../src/cli/cliArgs';
import { MAX_TEXT_FILE_BYTES, readTextFile } from '../../../src/cli/textInput';
import { cli, firstLine, MODEL } from './runCli';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UsageError, String(e));
    return e.message;
  }
  assert.fail('not refused');
}

describe('circuit-inspector text files', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'ci-cli-text-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a regular UTF-8 file', () => {
    const f = join(dir, 'ok.txt');
    writeFileSync(f, 'def f(self): é');
    assert.equal(readTextFile(f, '--text-file'), 'def f(self): é');
  });

  it('refuses /dev/zero as a device, without reading it', () => {
    assert.equal(
      refusal(() => readTextFile('/dev/zero', '--text-file')),
      '--text-file /dev/zero: is a device, not a regular text file',
    );
  });

  it('refuses a FIFO without waiting for a writer', function () {
    const fifo = join(dir, 'fifo');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      this.skip();
    }
    assert.match(
      refusal(() => readTextFile(fifo, '--clean-file')),
      /^--clean-file .*fifo: is a named pipe \(FIFO\), not a regular text file$/,
    );
  });

  it('refuses a folder and a missing file, naming them', () => {
    assert.match(
      refusal(() => readTextFile(dir, '--text-file')),
      /^--text-file .*ci-cli-text-\w+: is a folder/,
    );
    assert.match(
      refusal(() => readTextFile(join(dir, 'nope.txt'), '--text-file')),
      /^--text-file .*nope\.txt: no such file$/,
    );
  });

  it('refuses a file over the limit, naming the file and the limit', () => {
    const big = join(dir, 'big.txt');
    writeFileSync(big, Buffer.alloc(MAX_TEXT_FILE_BYTES + 1, 0x61));
    assert.match(
      refusal(() => readTextFile(big, '--text-file')),
      /^--text-file .*big\.txt: 1\.0 MiB is too large for a prompt \(the limit is 1\.0 MiB\)$/,
    );
    const small = join(dir, 'small.txt');
    writeFileSync(small, 'x'.repeat(2000));
    assert.match(
      refusal(() => readTextFile(small, '--text-file', 1024)),
      /small\.txt: 2\.0 KiB is too large for a prompt \(the limit is 1\.0 KiB\)/,
    );
  });

  it('refuses bytes that are not UTF-8', () => {
    const bin = join(dir, 'bin.txt');
    writeFileSync(bin, Buffer.from([0x61, 0xff, 0xfe, 0x00]));
    assert.match(
      refusal(() => readTextFile(bin, '--text-file')),
      /bin\.txt: is not UTF-8 text/,
    );
  });

  it('through main: --text-file /dev/zero exits with code 2 and a message, not an abort', async () => {
    const r = await cli(['inspect', '--model', MODEL, '--text-file', '/dev/zero']);
    assert.equal(r.code, 2);
    assert.equal(firstLine(r.err), 'circuit-inspector: --text-file /dev/zero: is a device, not a regular text file');
    const folder = await cli(['patch', '--model', MODEL, '--clean-file', dir, '--corrupt', 'b', '--answer', '#1', '--wrong', '#2']);
    assert.equal(folder.code, 2);
    assert.match(firstLine(folder.err), /--clean-file .*: is a folder/);
  });
});
