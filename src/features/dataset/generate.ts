/**
 * Generate Prompt Set: the selection is the template. The engine suggests its slots (the argument
 * names of its `def` signatures, with every place they recur); the user accepts them or picks
 * others, chooses the corruption (one slot, the definition group, the docstring group, or
 * everything), N, the seed and the answer's slot. The engine leaves out of the fill the words some
 * head treats specially and says why; the set is written as `<name>.prompts.jsonl` next to the file
 * (an untitled editor when the file has no folder) and opened. Anything given in the options is not
 * asked for.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TypedEngine } from '../../engine/client';
import { isCancelled } from '../../engine/protocol';
import { ModelResolveCancelled, resolveModelSpec } from '../../platform/modelResolver';
import { normalizeEol } from '../../platform/offsets';
import { reportFailure, tellUser } from '../../platform/notify';
import { getSettings } from '../../platform/settings';
import { errorMessage } from '../../shared/errors';
import type { CorruptionChoice, DatasetEngineMethods, GeneratePromptSetResult, SlotSuggestion } from './shared/engineMethods';

/** Arguments for automation and tests: anything given is not asked for. */
export interface GeneratePromptSetOptions {
  /** Slot names (words of the selection). */
  readonly slots?: readonly string[];
  /** `slot:NAME`, `group:definition`, `group:docstring` or `all`. */
  readonly corruption?: string;
  readonly n?: number;
  readonly seed?: number;
  /** The slot whose clean word is the answer. */
  readonly answer?: string;
  /** The slot whose clean word is the wrong answer (default: the answer slot's corrupt word). */
  readonly wrong?: string;
  /** Where to write (default `<name>.prompts.jsonl` next to the file, numbered if taken). */
  readonly out?: string;
  /** Open the written set in an editor (default true). */
  readonly open?: boolean;
  /** Don't probe for words some head treats specially (default false). */
  readonly keepSpecialWords?: boolean;
}

export type GeneratePromptSetOutcome =
  | {
      readonly status: 'done';
      /** The file written, or the untitled document's URI. */
      readonly path: string;
      readonly pairs: number;
      readonly excluded: GeneratePromptSetResult['excluded'];
      readonly notes: readonly string[];
    }
  | { readonly status: 'no-editor' | 'empty' | 'aborted' | 'error'; readonly message: string };

const TITLE = 'Generate Prompt Set';

export function parseCorruptionChoice(text: string): CorruptionChoice {
  const t = text.trim();
  if (t === 'all') return { kind: 'all' };
  if (t === 'group:definition' || t === 'group:docstring') return { kind: 'group', group: t.slice('group:'.length) as 'definition' | 'docstring' };
  const m = /^slot:(.+)$/.exec(t);
  if (m) return { kind: 'slot', slot: m[1].trim() };
  throw new Error(`corruption '${text}': expected slot:NAME, group:definition, group:docstring or all`);
}

/** `<stem>.prompts.jsonl` beside `file`, or `<stem>-2.prompts.jsonl`, … when taken. */
export async function freePromptSetUri(file: vscode.Uri): Promise<vscode.Uri> {
  const dir = vscode.Uri.joinPath(file, '..');
  const stem = path.basename(file.path).replace(/\.[^.]+$/, '');
  for (let i = 1; ; i++) {
    const candidate = vscode.Uri.joinPath(dir, `${stem}${i === 1 ? '' : `-${i}`}.prompts.jsonl`);
    try {
      await vscode.workspace.fs.stat(candidate);
    } catch {
      return candidate;
    }
  }
}

export async function generatePromptSetFromEditor(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  engine: TypedEngine<DatasetEngineMethods>,
  editor: vscode.TextEditor | undefined,
  options: GeneratePromptSetOptions = {},
): Promise<GeneratePromptSetOutcome> {
  const stop = (status: 'no-editor' | 'empty' | 'error', message: string): GeneratePromptSetOutcome => {
    if (status === 'error') reportFailure(log, message);
    else tellUser(log, message, 'warn');
    return { status, message };
  };
  if (!editor) return stop('no-editor', 'Open a file and select a template (e.g. a function with its docstring) to generate a prompt set from.');
  const doc = editor.document;
  if (editor.selection.isEmpty) return stop('empty', 'Select the template first: the code the prompts are made from, ending where the answer goes.');
  const template = normalizeEol(doc.getText(editor.selection)).text;
  if (!template.trim()) return stop('empty', 'The selection is blank: select the template the prompts are made from.');
  const settings = getSettings(doc.uri);
  try {
    const model = await resolveModelSpec(context, settings, log);
    const suggested = await engine.call('suggestSlots', { model, template }).result;

    // 1. Slots.
    const slots = options.slots ?? (await pickSlots(suggested.slots, template));
    if (!slots?.length) return { status: 'aborted', message: 'no slot chosen' };
    // 2. Corruption.
    const corruption = options.corruption !== undefined ? parseCorruptionChoice(options.corruption) : await pickCorruption(slots, suggested.slots);
    if (!corruption) return { status: 'aborted', message: 'no corruption chosen' };
    // 3. N and seed.
    const n = options.n ?? (await askInteger('How many pairs (N)', settings.promptSetSize, 1, 100_000));
    if (n === undefined) return { status: 'aborted', message: 'no N given' };
    const seed = options.seed ?? (await askInteger('Seed (the same seed gives the same set)', 1, 0, 2 ** 31 - 1));
    if (seed === undefined) return { status: 'aborted', message: 'no seed given' };
    // 4. The answer's slot (and the wrong answer's).
    const answer = options.answer ?? (await pickAnswer(slots, template));
    if (!answer) return { status: 'aborted', message: 'no answer slot chosen' };
    const wrong = options.answer !== undefined || options.wrong !== undefined ? options.wrong : await pickWrong(slots, answer);
    if (wrong === null) return { status: 'aborted', message: 'no wrong answer chosen' };

    const g = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Circuit Inspector: generating ${n} pairs`, cancellable: true },
      async (progress, token) => {
        const call = engine.call(
          'generatePromptSet',
          { model, template, slots, corruption, n, seed, answer, wrong, keepSpecialWords: options.keepSpecialWords },
          (_phase, message) => progress.report({ message }),
        );
        const sub = token.onCancellationRequested(() => call.cancel());
        try {
          return await call.result;
        } finally {
          sub.dispose();
        }
      },
    );

    // 5. Write and open.
    let written: vscode.Uri;
    if (options.out !== undefined) {
      written = vscode.Uri.file(path.resolve(options.out));
      await vscode.workspace.fs.writeFile(written, Buffer.from(g.jsonl, 'utf8'));
    } else if (doc.uri.scheme === 'file') {
      written = await freePromptSetUri(doc.uri);
      await vscode.workspace.fs.writeFile(written, Buffer.from(g.jsonl, 'utf8'));
    } else {
      const untitled = await vscode.workspace.openTextDocument({ language: 'jsonl', content: g.jsonl });
      written = untitled.uri;
    }
    if (options.open !== false) await vscode.window.showTextDocument(written, { preview: false });
    log.info(`generated ${g.pairs} pairs (${g.tokenCount} tokens each, seed ${seed}) into ${written.toString(true)}`);
    for (const e of g.excluded) log.info(`  excluded from the fill: '${e.word}': ${e.reason}`);
    for (const e of g.templateSpecial) log.info(`  treated specially in the template: '${e.word}': ${e.reason}`);
    for (const note of g.notes) log.info(`  ${note}`);
    const excluded = g.excluded.length
      ? ` ${g.excluded.length} word${g.excluded.length === 1 ? '' : 's'} some head treats specially ${g.excluded.length === 1 ? 'was' : 'were'} left out of the fill (${g.excluded
          .slice(0, 3)
          .map((e) => `'${e.word}'`)
          .join(', ')}${g.excluded.length > 3 ? ', …' : ''}; the first line's meta says why).`
      : ' No fill word was treated specially by any head.';
    void vscode.window.showInformationMessage(`Circuit Inspector: ${g.pairs} pairs written to ${path.basename(written.path)}.${excluded}`);
    return { status: 'done', path: written.scheme === 'file' ? written.fsPath : written.toString(), pairs: g.pairs, excluded: g.excluded, notes: g.notes };
  } catch (e) {
    if (e instanceof ModelResolveCancelled || isCancelled(e)) return { status: 'aborted', message: 'cancelled' };
    return stop('error', `${TITLE} failed: ${errorMessage(e)}`);
  }
}

async function pickSlots(suggested: readonly SlotSuggestion[], template: string): Promise<string[] | undefined> {
  type Item = vscode.QuickPickItem & { name?: string; other?: true };
  const groups = (s: SlotSuggestion) => [...new Set(s.occurrences.map((o) => o.group))].join(' + ');
  const items: Item[] = [
    ...suggested.map((s) => ({
      label: s.name,
      description: `${s.occurrences.length} place${s.occurrences.length === 1 ? '' : 's'} · ${groups(s)}`,
      detail: s.note ? `$(warning) ${s.note}` : undefined,
      picked: !s.note,
      name: s.name,
    })),
    { label: '$(edit) Other words…', description: 'type the words to use as slots', other: true },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `${TITLE} (1/5): slots`,
    placeHolder: suggested.length
      ? 'The suggested slots are the signature’s arguments: accept them or change the choice'
      : 'No argument names found: pick Other words…',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  const names = picked.filter((p) => p.name).map((p) => p.name!);
  if (picked.some((p) => p.other)) {
    const typed = await vscode.window.showInputBox({
      title: `${TITLE}: other slots`,
      prompt: 'Words of the selection, separated by commas; each is replaced at every place it occurs',
      validateInput: (v) => {
        const bad = v
          .split(',')
          .map((w) => w.trim())
          .filter((w) => w && !new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(template));
        return bad.length ? `not in the selection: ${bad.join(', ')}` : undefined;
      },
    });
    if (typed === undefined) return undefined;
    names.push(
      ...typed
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean),
    );
  }
  return [...new Set(names)];
}

async function pickCorruption(slots: readonly string[], suggested: readonly SlotSuggestion[]): Promise<CorruptionChoice | undefined> {
  type Item = vscode.QuickPickItem & { choice: CorruptionChoice };
  const inGroup = (g: 'definition' | 'docstring') => suggested.filter((s) => slots.includes(s.name) && s.occurrences.some((o) => o.group === g)).length;
  const items: Item[] = [
    ...slots.map((s) => ({ label: `One slot: ${s}`, description: `randomise '${s}' in the corrupt prompt`, choice: { kind: 'slot' as const, slot: s } })),
    {
      label: 'The definition',
      description: `every slot's places in the code (the signature)${inGroup('definition') ? '' : ' · no suggested slot is there'}`,
      choice: { kind: 'group', group: 'definition' },
    },
    {
      label: 'The docstring',
      description: `every slot's places in the prose${inGroup('docstring') ? '' : ' · no suggested slot is there'}`,
      choice: { kind: 'group', group: 'docstring' },
    },
    { label: 'Everything', description: 'every slot, everywhere', choice: { kind: 'all' } },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: `${TITLE} (2/5): corruption`,
    placeHolder: 'What the corrupt prompt randomises',
    ignoreFocusOut: true,
  });
  return pick?.choice;
}

async function askInteger(title: string, value: number, min: number, max: number): Promise<number | undefined> {
  const v = await vscode.window.showInputBox({
    title: `${TITLE}: ${title}`,
    value: String(value),
    ignoreFocusOut: true,
    validateInput: (t) => (/^\d+$/.test(t.trim()) && Number(t) >= min && Number(t) <= max ? undefined : `a whole number from ${min} to ${max}`),
  });
  return v === undefined ? undefined : Number(v.trim());
}

async function pickAnswer(slots: readonly string[], template: string): Promise<string | undefined> {
  // The docstring task: the answer is the slot whose name would come next, the last one the template mentions least.
  const count = (s: string) => template.split(new RegExp(`\\b${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`)).length - 1;
  const ordered = [...slots].sort((a, b) => count(a) - count(b) || slots.indexOf(b) - slots.indexOf(a));
  const pick = await vscode.window.showQuickPick(
    ordered.map((s, i) => ({ label: s, description: i === 0 ? 'suggested: mentioned least, so likely the next word' : undefined })),
    { title: `${TITLE} (4/5): the answer`, placeHolder: 'The slot whose clean word is the answer (the next token after the template)', ignoreFocusOut: true },
  );
  return pick?.label;
}

/** The wrong answer's slot; undefined = the default (the answer slot's corrupt word); null = cancelled. */
async function pickWrong(slots: readonly string[], answer: string): Promise<string | undefined | null> {
  type Item = vscode.QuickPickItem & { slot?: string };
  const items: Item[] = [
    { label: 'Default', description: 'the answer slot’s corrupt word; another slot’s clean word when the corruption leaves the answer as it is' },
    ...slots.filter((s) => s !== answer).map((s) => ({ label: `The clean word of ${s}`, slot: s })),
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: `${TITLE} (5/5): the wrong answer`,
    placeHolder: 'The metric is logit(answer) − logit(wrong)',
    ignoreFocusOut: true,
  });
  return pick ? pick.slot : null;
}
