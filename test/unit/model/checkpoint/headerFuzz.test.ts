/**
 * Fuzzing the safetensors header parser: seeded random mutations of a valid file's header (bounded in
 * count and time). Each must end in a CheckpointError that names the file, or in a load that is
 * correct (checked independently against the mutated JSON), never a hang, a crash or silent output.
 */
import { strict as assert } from 'node:assert';
import { CheckpointError } from '../../../../src/model/checkpoint/checkpointError';
import { SAFETENSORS_DTYPE_BYTES, isSafetensorsDtype } from '../../../../src/model/checkpoint/safetensorsDtype';
import { checkHeaderLength, parseSafetensorsHeader } from '../../../../src/model/checkpoint/safetensorsHeader';
import { encodeSafetensors } from '../../../../src/model/checkpoint/safetensorsWriter';
import { mulberry32 } from '../../../../tools/seededRandom';
import { tinyConfigJson, tinyGpt2Tensors } from './fixtures';

const FILE = 'fuzz.safetensors';
const MAX_CASES = 2000;
const MAX_MS = 10_000;

/** Pieces a mutation may insert: JSON syntax, numbers at the edges, dtypes, deep nesting. */
const SNIPPETS = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  '\\u0000',
  '-1',
  '1e309',
  '9007199254740993',
  '0.5',
  'null',
  'true',
  '"F16"',
  '"BOOL"',
  '"shape"',
  '"data_offsets"',
  '"__metadata__"',
  '[[[[[[[[',
  '\uffff',
  '\ud800',
];

function mutate(text: string, rand: () => number): string {
  const at = Math.floor(rand() * (text.length + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  switch (Math.floor(rand() * 7)) {
    case 0: // delete a span
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 8));
    case 1: // insert a snippet
      return text.slice(0, at) + pick(SNIPPETS) + text.slice(at);
    case 2: // replace a character
      return text.slice(0, at) + String.fromCharCode(Math.floor(rand() * 128)) + text.slice(at + 1);
    case 3: // change a digit
      return text.replace(/\d/g, (d) => (rand() < 0.05 ? String(Math.floor(rand() * 10)) : d));
    case 4: {
      // duplicate a tensor entry under its own name
      const m = /"[^"]+":\{"dtype"[^}]*\}/.exec(text.slice(at)) ?? /"[^"]+":\{"dtype"[^}]*\}/.exec(text);
      return m ? text.replace(m[0], `${m[0]},${m[0]}`) : text;
    }
    case 5: // truncate
      return text.slice(0, at);
    default: // swap two dtypes / shapes
      return text.replace(/"F32"/, `"${pick(['F16', 'BF16', 'I64', 'U8', 'F64', 'X'])}"`);
  }
}

/** The file's bytes with `header` as its header, and a data section of the original size (± a few bytes). */
function withHeader(header: string, dataLength: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

/** An independent check of a header the parser accepted. */
function checkAccepted(header: string, parsed: ReturnType<typeof parseSafetensorsHeader>, dataLength: number): void {
  const json = JSON.parse(header) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const names = Object.keys(json).filter((k) => k !== '__metadata__');
  assert.deepEqual([...parsed.tensors.keys()].sort(), names.sort());
  const keyCount = (header.match(/"(?:[^"\\]|\\.)*"\s*:\s*\{\s*"(dtype|shape|data_offsets)"/g) ?? []).length;
  assert.ok(keyCount <= names.length + 0, `accepted a header whose entries outnumber its names (${keyCount} > ${names.length})`);
  const spans: [number, number][] = [];
  for (const name of names) {
    const e = json[name];
    const t = parsed.tensors.get(name)!;
    assert.ok(isSafetensorsDtype(e.dtype) && t.dtype === e.dtype);
    assert.deepEqual(t.shape, e.shape);
    const bytes = e.shape.reduce((n, d) => n * d, SAFETENSORS_DTYPE_BYTES[e.dtype as keyof typeof SAFETENSORS_DTYPE_BYTES]);
    assert.equal(e.data_offsets[1] - e.data_offsets[0], bytes);
    assert.ok(e.data_offsets[1] <= dataLength);
    if (bytes > 0) spans.push(e.data_offsets);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1], 'overlapping tensors accepted');
}

describe('safetensors header parser fuzz', function () {
  this.timeout(60_000);
  it(`${MAX_CASES} seeded mutations (or ${MAX_MS / 1000} s) end in a clear error or a correct load`, () => {
    const valid = encodeSafetensors(tinyGpt2Tensors(tinyConfigJson(), { masks: 'bool+u8' }), { format: 'pt' });
    const headerLength = Number(new DataView(valid.buffer, valid.byteOffset).getBigUint64(0, true));
    const original = new TextDecoder().decode(valid.subarray(8, 8 + headerLength));
    const dataLength = valid.length - 8 - headerLength;
    const rand = mulberry32(14);
    const t0 = Date.now();
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < MAX_CASES && Date.now() - t0 < MAX_MS; i++) {
      let header = original;
      for (let m = 1 + Math.floor(rand() * 3); m > 0; m--) header = mutate(header, rand);
      header = new TextDecoder().decode(new TextEncoder().encode(header)); // what the file holds (lone surrogates become U+FFFD)
      const data = rand() < 0.8 ? dataLength : Math.max(0, dataLength + Math.floor(rand() * 17) - 8);
      const bytes = withHeader(header, data);
      const caseStart = Date.now();
      try {
        const length = checkHeaderLength(new DataView(bytes.buffer).getBigUint64(0, true), bytes.length, FILE);
        const parsed = parseSafetensorsHeader(bytes.subarray(8, 8 + length), bytes.length, FILE);
        checkAccepted(header, parsed, data);
        accepted++;
      } catch (e) {
        if (e instanceof assert.AssertionError) throw new Error(`case ${i}: accepted a bad header: ${e.message}\n${header}`);
        assert.ok(e instanceof CheckpointError, `case ${i}: ${(e as Error).name}: ${(e as Error).message}\n${header}`);
        assert.ok(e.message.startsWith(`${FILE}:`) && !e.message.includes('    at '), `case ${i}: unclear error: ${e.message}`);
        refused++;
      }
      assert.ok(Date.now() - caseStart < 1000, `case ${i} took ${Date.now() - caseStart} ms`);
    }
    assert.ok(accepted + refused >= 100, `only ${accepted + refused} cases ran`);
    assert.ok(refused > 0 && accepted > 0, `accepted ${accepted}, refused ${refused}: the mutations should give both`);
  });
});
