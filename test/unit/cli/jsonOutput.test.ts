/** Item 3: the JSON output is streamed in bounded chunks, so `--logits all` on a large model never builds one giant string. */
import assert from 'node:assert/strict';
import { CHUNK_CHARS, JsonRows, writeJson } from '../../../src/cli/jsonOutput';
import { cli, MODEL } from './runCli';

async function collect(value: unknown, chunkChars?: number): Promise<string[]> {
  const chunks: string[] = [];
  await writeJson(value, (c) => void chunks.push(c), chunkChars);
  return chunks;
}

describe('circuit-inspector JSON output', () => {
  it('plain values come out exactly as JSON.stringify(value, null, 1)', async () => {
    const value = { a: 1, b: [1, 'x', null, { c: [] }, []], d: {}, e: undefined, f: 'q"\n', g: [[1, 2], [3]], h: NaN, i: -0, j: true };
    assert.equal((await collect(value)).join(''), `${JSON.stringify(value, null, 1)}\n`);
  });

  it('a tensor is its flat data, one line per row, non-finite values as null', async () => {
    const data = new Float32Array([0.1, -2, Infinity, 3.5, NaN, 1e-8]);
    const text = (await collect({ t: { dims: [2, 3], data: new JsonRows(data, 3) }, empty: new JsonRows(new Float32Array(0), 3) })).join('');
    const parsed = JSON.parse(text);
    assert.deepEqual(
      parsed.t.data,
      [...data].map((v) => (Number.isFinite(v) ? v : null)),
    );
    assert.deepEqual(parsed.empty, []);
    assert.equal(text.split('\n').filter((l) => /^\s+\S+,\S/.test(l)).length, 2, text);
  });

  it('a large tensor goes out in bounded chunks that add up to valid JSON', async function () {
    this.timeout(60_000);
    // 512 × 2048 floats ≈ 10 M characters of JSON: written in chunks of at most about 2 × 4096 characters.
    const rows = 512;
    const V = 2048;
    const data = new Float32Array(rows * V).map((_, i) => Math.sin(i) * 10);
    const chunkChars = 4096;
    let count = 0;
    let largest = 0;
    let head = '';
    let total = 0;
    let checksum = 0;
    let pending = '';
    await writeJson(
      { logits: { dims: [1, rows, V], data: new JsonRows(data, V) } },
      (chunk) => {
        count++;
        largest = Math.max(largest, chunk.length);
        total += chunk.length;
        if (head.length < 100) head += chunk.slice(0, 100);
        // Parse the numbers as they stream by (no whole string is ever built here either).
        pending += chunk;
        const cut = pending.lastIndexOf(',');
        if (cut >= 0) {
          for (const m of pending.slice(0, cut).matchAll(/-?\d[\d.e+-]*/g)) checksum += Number(m[0]);
          pending = pending.slice(cut);
        }
      },
      chunkChars,
    );
    for (const m of pending.matchAll(/-?\d[\d.e+-]*/g)) checksum += Number(m[0]);
    const expected = data.reduce((a, v) => a + v, 0) + 1 + rows + V; // the dims are numbers too
    assert.ok(total > 5_000_000, String(total));
    assert.ok(count > 1000, String(count));
    assert.ok(largest <= 2 * chunkChars + 64, String(largest));
    assert.match(head, /^\{\n "logits": \{\n {2}"dims": \[/);
    assert.ok(Math.abs(checksum - expected) < 1e-3 * Math.max(1, Math.abs(expected)), `${checksum} vs ${expected}`);
  });

  it('inspect --logits all reaches stdout in several bounded writes, and parses', async () => {
    const ids = Array.from({ length: 32 }, (_, i) => (i * 7) % 300).join(',');
    const r = await cli(['inspect', '--model', MODEL, '--tokens', ids, '--logits', 'all', '--hooks', 'blocks.1.attn.hook_pattern']);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.outWrites.length > 1, `one write of ${r.out.length} characters`);
    assert.ok(Math.max(...r.outWrites.map((w) => w.length)) <= 2 * CHUNK_CHARS + 64);
    const json = JSON.parse(r.out);
    assert.deepEqual(json.logits.dims, [1, 32, 301]);
    assert.equal(json.logits.data.length, 32 * 301);
    assert.equal(json.hooks['blocks.1.attn.hook_pattern'].data.length, 4 * 32 * 32);
  });

  it('inspect --logits with positions returns only those rows; a position outside is refused before the run', async () => {
    const r = await cli(['inspect', '--model', MODEL, '--tokens', '300,275,283,5', '--logits', '2,0']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.deepEqual(json.logits.dims, [1, 2, 301]);
    assert.deepEqual(json.logits.positions, [2, 0]);
    const all = JSON.parse((await cli(['inspect', '--model', MODEL, '--tokens', '300,275,283,5', '--logits', 'all'])).out);
    assert.deepEqual(json.logits.data.slice(0, 301), all.logits.data.slice(2 * 301, 3 * 301));
    assert.deepEqual(json.logits.data.slice(301), all.logits.data.slice(0, 301));
    const outside = await cli(['inspect', '--model', MODEL, '--tokens', '300,275', '--logits', '2']);
    assert.equal(outside.code, 2);
    assert.match(outside.err, /^circuit-inspector: --logits: position 2 is outside the prompt, whose 2 tokens are at positions 0\.\.1/);
  });
});
