import * as assert from 'node:assert/strict';
import { isCancelled } from '../../../src/engine/protocol';
import { SerialQueue } from '../../../src/engine/serialQueue';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('engine/SerialQueue', () => {
  it('runs one job at a time, in arrival order', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const none = new AbortController().signal;
    const results = await Promise.all([q.run(none, job('a')), q.run(none, job('b')), q.run(none, job('c'))]);
    assert.deepEqual(results, ['a', 'b', 'c']);
    assert.deepEqual(log, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    assert.equal(q.size, 0);
  });

  it('a job cancelled while it waits leaves at once and never runs; one cancelled while running finishes first', async () => {
    const q = new SerialQueue();
    const ran: string[] = [];
    let releaseA!: () => void;
    const a = new AbortController();
    const b = new AbortController();
    const pa = q.run(a.signal, async () => {
      ran.push('a');
      await new Promise<void>((r) => (releaseA = r));
      return 'a';
    });
    const pb = q.run(b.signal, async () => {
      ran.push('b');
      return 'b';
    });
    const pc = q.run(new AbortController().signal, async () => {
      ran.push('c');
      return 'c';
    });
    await tick();
    b.abort();
    await assert.rejects(pb, (e) => isCancelled(e));
    a.abort(); // running: it is not abandoned mid-way (it may hold a model lease)
    let aSettled = false;
    void pa.finally(() => (aSettled = true)).catch(() => undefined);
    await tick();
    assert.equal(aSettled, false, 'the running job is waited for');
    releaseA();
    assert.equal(await pa, 'a');
    assert.equal(await pc, 'c');
    assert.deepEqual(ran, ['a', 'c'], 'b never ran; c ran after a finished');
  });
});
