/**
 * The engine process seen from the extension host: it runs apart from the extension host, and
 * when it dies mid-run (killed, out of memory) only the run in flight fails, with a message that
 * says what happened, and the next run starts a new engine.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CircuitInspectorApi } from '../../../src/extension';
import type { InspectOutcome } from '../../../src/features/attention/session';
import { openSample, select } from './sample';

let api: CircuitInspectorApi;
let editor: vscode.TextEditor;

async function inspect(): Promise<InspectOutcome> {
  return (await vscode.commands.executeCommand('circuitInspector.inspectAttention')) as InspectOutcome;
}

describe('the engine process', function () {
  this.timeout(120_000);

  before(async () => {
    ({ api, editor } = await openSample());
  });

  it('runs in its own process, not in the extension host', async () => {
    select(editor, 'self.width = width');
    const r = await inspect();
    assert.equal(r.status, 'done', JSON.stringify(r));
    assert.ok(api.engine.pid !== undefined && api.engine.pid !== process.pid);
  });

  it('SIGKILL during an inspection: the user is told the engine stopped, and the next inspection works', async () => {
    // Kill a fresh engine right after the request is handed to it: it is still starting (loading
    // onnxruntime and the model), so it cannot have answered yet, however the machine schedules us.
    // (A warm engine can answer a 6-token inspection within one time slice of a loaded machine.)
    assert.equal(await vscode.commands.executeCommand('circuitInspector.restartEngine'), true);
    for (let i = 0; i < 500 && api.engine.pid !== undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(api.engine.pid, undefined, 'Restart Engine stopped the engine');
    select(editor, 'self.width = width');
    const sent = api.engine.nextRequest('inspect');
    const run = inspect();
    await sent;
    const killed = api.engine.pid;
    assert.ok(killed !== undefined);
    process.kill(killed, 'SIGKILL');
    const r = await run;
    assert.equal(r.status, 'error', JSON.stringify(r));
    const message = r.status === 'error' ? r.message : '';
    assert.match(message, /engine process stopped \(killed by SIGKILL\) while running inspect/);
    assert.match(message, /starts again on the next request/);
    assert.equal(api.attention.runState?.state, 'error', 'the panel shows the failure');
    assert.match(api.attention.runState?.message ?? '', /killed by SIGKILL/);

    select(editor, 'return self.width * self.height');
    const next = await inspect();
    assert.equal(next.status, 'done', JSON.stringify(next));
    assert.notEqual(api.engine.pid, killed, 'a new engine process');
    if (next.status === 'done')
      assert.equal(
        next.tokens
          .slice(1)
          .map((t) => t.text)
          .join(''),
        'return self.width * self.height',
      );
  });
});
