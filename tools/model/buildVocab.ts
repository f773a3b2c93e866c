/**
 * Step 1 of the model pipeline: list the corpus, count GPT-2 tokens on its training split with the
 * project's tokenizer, and write the closed vocabulary subset to models/<name>/vocab.json + merges.txt.
 *
 *     npx tsx tools/model/buildVocab.ts [--top 6000]
 *
 * Keeps the --top most frequent tokens, all 256 byte tokens, `<|endoftext|>`, the required single tokens
 * (./identifiers.ts) and what the merge closure needs (./vocabSubset.ts). Writes corpus and vocabulary
 * statistics to .tmp/model/{corpus,vocab}-stats.json for the model card.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Gpt2Tokenizer } from '../../src/model/tokenizer';
import { corpusStats, listCorpus, readCorpusText } from './corpus';
import { MODEL_DIR, WORK_DIR, originalGpt2Tokenizer, readOriginalGpt2Files, writeJson } from './gpt2Files';
import { DOCSTRING_ARG_NAMES, REQUIRED_SINGLE_TOKENS } from './identifiers';
import { END_OF_TEXT, closedSubset, closureProblems } from './vocabSubset';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The byte-level form (`Ġparam`) of a text that must be one token. */
function singleToken(tokenizer: Gpt2Tokenizer, text: string): string {
  const ids = tokenizer.encode(text).ids;
  if (ids.length !== 1) throw new Error(`${JSON.stringify(text)} is ${ids.length} GPT-2 tokens, not one`);
  return tokenizer.idToToken(ids[0]) as string;
}

function main(): void {
  const top = argValue('--top', 6000);
  const started = Date.now();
  const listing = listCorpus();
  const stats = corpusStats(listing);
  writeJson(path.join(WORK_DIR, 'corpus-stats.json'), stats);
  console.log(`corpus: ${stats.train.files} train files (${stats.train.bytes} bytes), ${stats.heldout.files} held out (${stats.heldout.bytes} bytes)`);

  const files = readOriginalGpt2Files();
  const gpt2 = originalGpt2Tokenizer(files);
  const counts = new Float64Array(gpt2.vocabSize);
  let total = 0;
  for (const file of listing.files) {
    if (file.split !== 'train') continue;
    for (const id of gpt2.encode(readCorpusText(file.path) as string).ids) counts[id]++;
  }
  for (const c of counts) total += c;
  console.log(`counted ${total} GPT-2 tokens on the training split in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const byFrequency = Array.from(counts.keys())
    .filter((id) => counts[id] > 0)
    .sort((a, b) => counts[b] - counts[a] || a - b);
  const wanted = byFrequency.slice(0, top).map((id) => gpt2.idToToken(id) as string);
  const required = [...REQUIRED_SINGLE_TOKENS, ...DOCSTRING_ARG_NAMES.flatMap((n) => [` ${n}`])].map((t) => singleToken(gpt2, t));
  const subset = closedSubset(files.vocab, files.merges, [...wanted, ...required]);
  const problems = closureProblems(subset.vocab, subset.merges);
  if (problems.length > 0) throw new Error(`the subset is not closed: ${JSON.stringify(problems)}`);

  fs.mkdirSync(MODEL_DIR, { recursive: true });
  fs.writeFileSync(path.join(MODEL_DIR, 'vocab.json'), JSON.stringify(subset.vocab) + '\n');
  fs.writeFileSync(path.join(MODEL_DIR, 'merges.txt'), ['#version: 0.2', ...subset.merges].join('\n') + '\n');

  const sub = Gpt2Tokenizer.fromFolder(MODEL_DIR);
  for (const text of [...REQUIRED_SINGLE_TOKENS, ...DOCSTRING_ARG_NAMES.map((n) => ` ${n}`)]) {
    const ids = sub.encode(text).ids;
    if (ids.length !== 1) throw new Error(`${JSON.stringify(text)} is ${ids.length} tokens with the subset tokenizer`);
  }
  const keptCount = Object.keys(subset.vocab).reduce((s, t) => s + (t === END_OF_TEXT ? 0 : counts[files.vocab[t]]), 0);
  const vocabStats = {
    topK: top,
    vocabSize: Object.keys(subset.vocab).length,
    merges: subset.merges.length,
    addedByClosure: subset.addedByClosure,
    endOfTextId: subset.vocab[END_OF_TEXT],
    gpt2TokensOnTrainSplit: total,
    /** fraction of the training split's GPT-2 tokens that are kept tokens */
    coverage: keptCount / total,
  };
  writeJson(path.join(WORK_DIR, 'vocab-stats.json'), vocabStats);
  console.log(JSON.stringify(vocabStats));
}

main();
