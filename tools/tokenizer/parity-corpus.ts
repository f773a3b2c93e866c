/**
 * Token-for-token parity of our GPT-2 tokenizer with js-tiktoken's r50k_base (an independent
 * implementation of the same encoding) over every Python file Debian installs, plus the token-range
 * checks. Prints totals and the first mismatches; exits 1 if anything differs.
 *
 *   npx tsx tools/tokenizer/parity-corpus.ts [--sample-mb N] [root ...]
 */
import * as fs from 'node:fs';
import { getEncoding } from 'js-tiktoken';
import { findTokenRangeProblem, firstDifference } from './checkTokenRanges';
import { loadGpt2Tokenizer } from './gpt2Reference';
import { listPythonCorpusFiles, PYTHON_CORPUS_ROOTS, samplePythonCorpus } from './pythonCorpus';

const MAX_REPORTED = 10;

function parseArgs(argv: readonly string[]): { sampleBytes: number | undefined; roots: string[] } {
  let sampleBytes: number | undefined;
  const roots: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--sample-mb') sampleBytes = Number(argv[++i]) * 1e6;
    else roots.push(argv[i]);
  }
  return { sampleBytes, roots: roots.length > 0 ? roots : PYTHON_CORPUS_ROOTS };
}

function main(): number {
  const { sampleBytes, roots } = parseArgs(process.argv.slice(2));
  const tokenizer = loadGpt2Tokenizer();
  const oracle = getEncoding('r50k_base');
  const all = listPythonCorpusFiles(roots);
  const files = sampleBytes === undefined ? all : samplePythonCorpus(all, sampleBytes);

  let bytes = 0;
  let tokens = 0;
  let idMismatches = 0;
  let rangeProblems = 0;
  let nonAsciiFiles = 0;
  let splitCharacters = 0; // token boundaries inside a character (consecutive ranges that overlap)
  let oursMs = 0;
  let oracleMs = 0;
  const reported: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    bytes += Buffer.byteLength(text, 'utf8');
    let t = performance.now();
    const encoding = tokenizer.encode(text);
    oursMs += performance.now() - t;
    t = performance.now();
    const expected = oracle.encode(text, [], []); // no special tokens: like encode_ordinary
    oracleMs += performance.now() - t;
    tokens += expected.length;

    const at = firstDifference(encoding.ids, expected);
    if (at >= 0) {
      idMismatches++;
      const context = JSON.stringify(oracle.decode(expected.slice(Math.max(0, at - 3), at + 3)));
      reported.push(
        `ids differ: ${file} token ${at}: ours ${encoding.ids.slice(at, at + 3).join(',')} tiktoken ${expected.slice(at, at + 3).join(',')} near ${context}`,
      );
    }
    if (/[^\x00-\x7f]/.test(text)) nonAsciiFiles++;
    for (let i = 1; i < encoding.ranges.length; i++) if (encoding.ranges[i].start < encoding.ranges[i - 1].end) splitCharacters++;
    const problem = findTokenRangeProblem(text, encoding, tokenizer);
    if (problem !== undefined) {
      rangeProblems++;
      reported.push(`ranges: ${file}: ${problem}`);
    }
  }

  console.log(`roots: ${roots.join(' ')}${sampleBytes === undefined ? '' : ` (sample of ${sampleBytes / 1e6} MB)`}`);
  console.log(`files: ${files.length}, bytes: ${bytes} (${(bytes / 1e6).toFixed(1)} MB), tokens: ${tokens}`);
  console.log(`files with non-ASCII text: ${nonAsciiFiles}, token boundaries inside a character: ${splitCharacters}`);
  console.log(`files with id mismatches: ${idMismatches}, files with range problems: ${rangeProblems}`);
  console.log(`time encoding: ours ${(oursMs / 1000).toFixed(1)} s, js-tiktoken ${(oracleMs / 1000).toFixed(1)} s`);
  for (const line of reported.slice(0, MAX_REPORTED)) console.log(line);
  if (reported.length > MAX_REPORTED) console.log(`… and ${reported.length - MAX_REPORTED} more`);
  return idMismatches + rangeProblems === 0 ? 0 : 1;
}

process.exitCode = main();
