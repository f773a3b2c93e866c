/**
 * Checks the layers of src/ and webview/ (ARCHITECTURE.md) on every import: static imports and
 * re-exports, `import type`, dynamic import() and require(). Part of `npm run lint`:
 *   node --import tsx tools/lint/layers.ts
 * Prints `file:line: imports X (rule)` for each import the table below does not allow, and each
 * import cycle once; exits 1 if there is any.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, sep } from 'node:path';
import ts from 'typescript';

interface Layer {
  name: string;
  /** Repository paths; `*` is one folder name, `**` any depth. The first layer that matches wins. */
  files: string[];
  /** The layers it may import besides itself (a feature: only its own folder). */
  imports: string[];
  /** May import `vscode`. */
  vscode?: boolean;
  /** Bundled into the webviews: no node builtins. */
  browser?: boolean;
}

const MODEL_LEVEL = ['shared', 'model', 'hub'];
const ENGINE_LEVEL = [...MODEL_LEVEL, 'analysis', 'engine'];

export const LAYERS: Layer[] = [
  { name: 'shared', files: ['src/shared/**'], imports: [], browser: true },
  { name: 'features/*/shared', files: ['src/features/*/shared/**'], imports: ['shared'], browser: true },
  { name: 'model', files: ['src/model/**'], imports: MODEL_LEVEL },
  { name: 'hub', files: ['src/hub/**'], imports: MODEL_LEVEL },
  { name: 'analysis', files: ['src/analysis/**'], imports: MODEL_LEVEL },
  { name: 'engine', files: ['src/engine/**'], imports: [...MODEL_LEVEL, 'analysis'] },
  { name: 'features/*/engine', files: ['src/features/*/engine/**'], imports: [...ENGINE_LEVEL, 'features/*/shared'] },
  { name: 'platform', files: ['src/platform/**'], imports: ENGINE_LEVEL, vscode: true },
  { name: 'features', files: ['src/features/*/**'], imports: [...ENGINE_LEVEL, 'platform', 'features/*/shared'], vscode: true },
  { name: 'engine entry', files: ['src/engineProcess.ts', 'src/engineModules.ts'], imports: [...ENGINE_LEVEL, 'features/*/engine', 'features/*/shared'] },
  { name: 'cli', files: ['src/cli/**'], imports: ENGINE_LEVEL },
  { name: 'extension', files: ['src/extension.ts'], imports: [...ENGINE_LEVEL, 'platform', 'features', 'features/*/shared'], vscode: true },
  { name: 'webview', files: ['webview/**'], imports: ['shared', 'features/*/shared'], browser: true },
];

/** Violations known and waiting for a fix: reported as warnings; one that no longer occurs is an error. */
export const KNOWN: { file: string; imports: string }[] = [];

const globToRegExp = (glob: string) => new RegExp('^' + glob.replace(/[.]/g, '\\.').replace(/\*\*/g, '\0').replace(/\*/g, '[^/]+').replace(/\0/g, '.*') + '$');
const MATCHERS = LAYERS.map((layer) => ({ layer, res: layer.files.map(globToRegExp) }));

export function layerOf(file: string): Layer | undefined {
  return MATCHERS.find(({ res }) => res.some((re) => re.test(file)))?.layer;
}

const VSCODE_LAYERS = LAYERS.filter((l) => l.vscode)
  .map((l) => l.name)
  .join(', ');
const featureOf = (file: string) => /^src\/features\/([^/]+)\//.exec(file)?.[1];
const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (spec: string) => spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]);

interface Import {
  line: number;
  spec: string;
  /** The repository path a relative specifier resolves to (a .ts file when one exists). */
  target?: string;
}

/** The imports of one file that the rules look at: relative ones, `vscode` and node builtins. */
export function importsOf(file: string, text: string, files: ReadonlySet<string>): Import[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.filter(({ fileName: spec }) => spec.startsWith('.') || spec === 'vscode' || isNodeBuiltin(spec))
    .map(({ fileName: spec, pos }) => {
      const line = text.slice(0, pos).split('\n').length;
      if (!spec.startsWith('.')) return { line, spec };
      const base = posix.join(posix.dirname(file), spec);
      const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
      return { line, spec, target: candidates.find((c) => files.has(c)) ?? base };
    });
}

/** Why `file` may not import `imp`, or undefined when it may. */
function layerViolation(file: string, layer: Layer, imp: Import): string | undefined {
  if (imp.spec === 'vscode') {
    return layer.vscode ? undefined : `${layer.name} does not import vscode: only ${VSCODE_LAYERS} do`;
  }
  if (!imp.target) {
    return layer.browser ? `${layer.name} runs in the webviews: no node builtins` : undefined;
  }
  const target = layerOf(imp.target);
  if (!target) return 'outside the layers of src/ and webview/';
  const [from, to] = [featureOf(file), featureOf(imp.target)];
  if (from && to && from !== to) return 'features do not import each other: move what they share to src/shared or a lower layer';
  if (target === layer || layer.imports.includes(target.name)) return undefined;
  const allowed = [...new Set([layer.name, ...layer.imports])].join(', ');
  return `${layer.name} may import only ${allowed}; ${imp.target} is ${target.name}`;
}

/** Each import cycle once, as a chain of files that starts and ends with the same file. */
export function findCycles(graph: ReadonlyMap<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (file: string) => {
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const at = stack.indexOf(next);
      if (at >= 0) {
        const cycle = stack.slice(at);
        const start = cycle.indexOf([...cycle].sort()[0]);
        const chain = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(chain.join('\n'), [...chain, chain[0]]);
      } else if (!done.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    done.add(file);
  };
  for (const file of [...graph.keys()].sort()) if (!done.has(file)) visit(file);
  return [...cycles.values()];
}

export interface Problem {
  file: string;
  line?: number;
  imports?: string;
  why: string;
}

export const formatProblem = (p: Problem) => (p.imports ? `${p.file}:${p.line}: imports ${p.imports} (${p.why})` : `${p.file}: ${p.why}`);

/** Every violation in a map from repository path to source text. */
export function checkLayers(sources: Readonly<Record<string, string>>): Problem[] {
  const files = new Set(Object.keys(sources));
  const problems: Problem[] = [];
  const importsByFile = new Map<string, Import[]>();
  for (const file of [...files].sort()) {
    if (file.endsWith('.test.ts')) continue; // tests beside the code run in node, and nothing imports them
    const layer = layerOf(file);
    if (!layer) {
      problems.push({ file, why: 'is in no layer (add its folder to LAYERS in tools/lint/layers.ts)' });
      continue;
    }
    importsByFile.set(file, importsOf(file, sources[file], files));
    for (const imp of importsByFile.get(file)!) {
      const why = layerViolation(file, layer, imp);
      if (why) problems.push({ file, line: imp.line, imports: imp.target ?? imp.spec, why });
    }
  }
  const graph = new Map<string, string[]>();
  for (const [file, imports] of importsByFile)
    graph.set(
      file,
      imports.flatMap((i) => (i.target && files.has(i.target) ? [i.target] : [])),
    );
  for (const chain of findCycles(graph)) {
    const [file, next] = chain;
    const line = importsByFile.get(file)!.find((i) => i.target === next)!.line;
    problems.push({ file, line, imports: next, why: `import cycle: ${chain.join(' → ')}` });
  }
  return problems;
}

/** The .ts files under the given folders, keyed by repository path. */
export function readSources(root: string, folders: string[]): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const folder of folders) {
    for (const name of readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })) {
      const path = posix.join(folder, ...name.split(sep));
      if (path.endsWith('.ts')) sources[path] = readFileSync(join(root, path), 'utf8');
    }
  }
  return sources;
}

if (require.main === module) {
  const problems = checkLayers(readSources(process.cwd(), ['src', 'webview']));
  const isKnown = (p: Problem, k: (typeof KNOWN)[number]) => p.file === k.file && p.imports === k.imports;
  const errors = problems.filter((p) => !KNOWN.some((k) => isKnown(p, k))).map(formatProblem);
  for (const p of problems.filter((p) => KNOWN.some((k) => isKnown(p, k)))) console.warn(`warning (known): ${formatProblem(p)}`);
  for (const k of KNOWN.filter((k) => !problems.some((p) => isKnown(p, k)))) {
    errors.push(`${k.file}: no longer imports ${k.imports}: remove it from KNOWN in tools/lint/layers.ts`);
  }
  for (const e of errors) console.error(e);
  process.exitCode = errors.length ? 1 : 0;
}
