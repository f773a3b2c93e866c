/**
 * Step 2 of the model pipeline: tokenize the corpus with the project's tokenizer and the shipped
 * (subset) vocabulary, into .tmp/model/data/{train,heldout}.bin (uint16 little-endian ids) + meta.json.
 *
 *     npx tsx tools/model/encodeCorpus.ts
 *
 * Each split is `<|endoftext|>` doc `<|endoftext|>` doc … in sorted path order. Checks that every id is
 * below the vocabulary size and that decoding each held-out document gives back its text exactly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Gpt2Tokenizer } from '../../src/model/tokenizer';
import { listCorpus, readCorpusText, type Split } from './corpus';
import { DATA_DIR, MODEL_DIR, writeJson } from './gpt2Files';

function encodeSplit(tokenizer: Gpt2Tokenizer, files: readonly string[], eot: number, checkRoundTrip: boolean): Uint16Array {
  const chunks: Uint16Array[] = [];
  let total = 0;
  for (const file of files) {
    const text = readCorpusText(file) as string;
    const ids = tokenizer.encode(text).ids;
    for (const id of ids) {
      if (id >= tokenizer.vocabSize || id === eot) throw new Error(`${file}: id ${id} out of range or <|endoftext|>`);
    }
    if (checkRoundTrip && tokenizer.decode(ids) !== text) throw new Error(`${file}: decode(encode(text)) differs from the text`);
    const chunk = new Uint16Array(ids.length + 1);
    chunk[0] = eot;
    chunk.set(ids, 1);
    chunks.push(chunk);
    total += chunk.length;
  }
  const out = new Uint16Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function main(): void {
  const started = Date.now();
  const tokenizer = Gpt2Tokenizer.fromFolder(MODEL_DIR);
  const eot = tokenizer.endOfTextId;
  if (eot === undefined) throw new Error(`${MODEL_DIR}: the vocabulary has no <|endoftext|>`);
  if (tokenizer.vocabSize > 65536) throw new Error('ids do not fit in uint16');
  const listing = listCorpus();
  const meta: Record<string, unknown> = { vocab_size: tokenizer.vocabSize, eot_id: eot };
  fs.mkdirSync(DATA_DIR, { recursive: true });
  for (const split of ['heldout', 'train'] as Split[]) {
    const files = listing.files.filter((f) => f.split === split).map((f) => f.path);
    const ids = encodeSplit(tokenizer, files, eot, split === 'heldout');
    fs.writeFileSync(path.join(DATA_DIR, `${split}.bin`), Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength));
    meta[`${split}_files`] = files.length;
    meta[`${split}_tokens`] = ids.length;
    console.log(`${split}: ${files.length} files, ${ids.length} tokens`);
  }
  meta.seconds = (Date.now() - started) / 1000;
  writeJson(path.join(DATA_DIR, 'meta.json'), meta);
  console.log(JSON.stringify(meta));
}

main();
