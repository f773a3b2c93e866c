/**
 * The questions Compare Token Substitution asks, as QuickPicks and input boxes: which token, what
 * replacement (ranked suggestions from the engine, or free text), a single-token alternative when
 * the counts differ, and the metric. Anything given in CompareOptions is not asked.
 */
import * as vscode from 'vscode';
import { type MetricSpec, type SweepKind } from './shared/protocol';
import { visibleText, type TokenRef } from '../../shared/tokens';
import type { EngineCall, TypedEngine } from '../../engine/client';
import { isCancelled } from '../../engine/protocol';
import { errorMessage } from '../../shared/errors';
import type { ModelSpec } from '../../shared/modelSpec';
import type { PromptToken } from '../../shared/tokens';
import type { SubstituteRanking, SubstituteScore } from '../../shared/substitutes';
import type { OpenComparisonResult, SubstitutionEngineMethods, TokenizeCorruptResult } from './shared/engineMethods';
import {
  answerToken,
  defaultMetric,
  keepLeadingSpace,
  metricLabel,
  REPLACEMENT_PLACEHOLDER,
  suggestionDescription,
  suggestionDetail,
  suggestionGroups,
  type TokenSpan,
} from './flow';

/** Arguments for automation and tests: anything given is not asked for. */
export interface CompareOptions {
  /** Clean token index to replace (BOS is 0 when prepended), or the token(s) at the cursor without asking. */
  readonly position?: number | 'cursor';
  readonly replacement?: string;
  readonly metric?: 'logit_diff' | 'prob' | 'kl';
  readonly answer?: string;
  readonly wrong?: string;
  readonly sweeps?: readonly SweepKind[];
  readonly maxBatch?: number;
  /** When the token counts differ: take the nearest single-token alternative, or stop (default: ask). */
  readonly onMismatch?: 'nearest' | 'cancel';
  /**
   * Compare these two prompts directly (a pair of a prompt set): no editor, no token to pick; they
   * must align token by token. Give `answer`, `wrong` and `metric: 'logit_diff'` to ask nothing.
   */
  readonly prompts?: { readonly clean: string; readonly corrupt: string };
}

export class SubstitutionQuestions {
  constructor(
    private readonly engine: TypedEngine<SubstitutionEngineMethods>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async pickSpan(tokens: readonly PromptToken[], atCursor: TokenSpan | undefined): Promise<TokenSpan | undefined> {
    type Item = vscode.QuickPickItem & { span: TokenSpan };
    const items: Item[] = [];
    if (atCursor) {
      const label = tokens
        .slice(atCursor.first, atCursor.last + 1)
        .map((t) => `‘${visibleText(t.text)}’`)
        .join(' ');
      items.push({
        label: `$(target) ${label}`,
        description: atCursor.first === atCursor.last ? `token ${atCursor.first}, at the cursor` : `tokens ${atCursor.first}–${atCursor.last}, at the cursor`,
        span: atCursor,
      });
      items.push({ label: 'All tokens', kind: vscode.QuickPickItemKind.Separator, span: atCursor });
    }
    tokens.forEach((t, i) => {
      if (!t.isBos) items.push({ label: `‘${visibleText(t.text)}’`, description: `token ${i}`, span: { first: i, last: i } });
    });
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Compare Token Substitution (1/3): token to replace',
      placeHolder: 'Pick the token to substitute',
      matchOnDescription: true,
    });
    return pick?.span;
  }

  /** `context`: the document around the prompt, whose words are suggested first. */
  async pickReplacement(plan: OpenComparisonResult, span: TokenSpan, original: string, context?: string): Promise<string | undefined> {
    type Item = vscode.QuickPickItem & { value: string };
    const qp = vscode.window.createQuickPick<Item>();
    const title = `Compare Token Substitution (2/3): replace ‘${visibleText(original)}’ with…`;
    qp.title = title;
    qp.placeholder = REPLACEMENT_PLACEHOLDER;
    qp.matchOnDescription = true;
    let suggestions: Item[] = [];
    const freeItem = (): Item[] => {
      const v = qp.value;
      if (!v) return [];
      const text = span.first === span.last ? keepLeadingSpace(original, v) : v;
      // The label is exactly what was typed: VS Code sorts an exact match of the filter text first,
      // so Enter takes the typed text even where a suggestion (‘X’ for `x`) also matches.
      return [
        { label: v, description: text !== v ? `your text, as ‘${visibleText(text)}’ (the leading space kept)` : 'your text', value: text, alwaysShow: true },
      ];
    };
    const refresh = () => {
      const free = freeItem();
      qp.items = [...free, ...suggestions];
      // Typed text stays the active item when suggestions arrive later: Enter uses what was typed.
      if (free.length) qp.activeItems = free;
    };
    qp.onDidChangeValue(refresh);
    let rankCall: EngineCall<SubstituteRanking> | undefined;
    if (span.first === span.last) {
      qp.busy = true;
      rankCall = this.engine.call('rankSubstitutes', { comparisonId: plan.comparisonId, position: span.first, limit: 24, context });
      rankCall.result.then(
        (s) => {
          const item = (x: SubstituteScore): Item => ({
            label: `‘${visibleText(x.text)}’`,
            description: suggestionDescription(x.distance),
            detail: x.special.length ? `$(warning) ${x.special[0].message}` : suggestionDetail(s.original.text),
            value: x.text,
          });
          const groups = suggestionGroups(s.role);
          const separator = (label: string): Item => ({ label, kind: vscode.QuickPickItemKind.Separator, value: '' });
          const inDoc = s.ranked.filter((x) => x.fromDocument);
          const rest = s.ranked.filter((x) => !x.fromDocument);
          suggestions = [
            ...(inDoc.length ? [separator(groups.document), ...inDoc.map(item)] : []),
            ...(rest.length ? [separator(groups.vocabulary), ...rest.map(item)] : []),
          ];
          qp.title = `${title} (${groups.kind})`;
          if (s.original.special.length) qp.title = `${qp.title} · note: ${s.original.special[0].message}`;
          qp.busy = false;
          refresh();
        },
        (e: unknown) => {
          qp.busy = false;
          if (!isCancelled(e)) this.log.warn(`suggestions failed: ${errorMessage(e)}`);
        },
      );
    }
    refresh();
    const value = await new Promise<string | undefined>((resolve) => {
      qp.onDidAccept(() => {
        const pick = qp.selectedItems[0] ?? qp.activeItems[0];
        resolve(pick?.value ?? (qp.value ? qp.value : undefined));
        qp.hide();
      });
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
    rankCall?.cancel();
    qp.dispose();
    return value;
  }

  async pickNearest(message: string, nearest: readonly TokenRef[], mode: CompareOptions['onMismatch']): Promise<string | undefined> {
    if (mode === 'cancel') return undefined;
    if (mode === 'nearest') return nearest[0]?.text;
    if (nearest.length === 0) return undefined;
    const pick = await vscode.window.showQuickPick(
      nearest.map((t) => ({ label: `‘${visibleText(t.text)}’`, description: 'single token of the same kind', value: t.text })),
      { title: 'The token counts differ: pick a single-token alternative', placeHolder: message, ignoreFocusOut: true },
    );
    if (!pick) void vscode.window.showWarningMessage(message);
    return pick?.value;
  }

  async pickMetric(
    spec: ModelSpec,
    plan: OpenComparisonResult,
    corrupt: TokenizeCorruptResult,
    options: CompareOptions,
  ): Promise<{ spec: MetricSpec; notes: string[] } | undefined> {
    const def = defaultMetric(plan.topClean, corrupt.topCorrupt ?? []);
    const notes = [...def.notes];
    const encode = (texts: string[]) => this.engine.call('encode', { model: spec, texts }).result;
    const fromTyped = async (answer: string, wrong?: string): Promise<MetricSpec | undefined> => {
      const enc = await encode(wrong === undefined ? [answer] : [answer, wrong]);
      const a = answerToken(answer, enc[0] ?? [], 'answer');
      if ('error' in a) return void vscode.window.showErrorMessage(a.error);
      if (a.note) notes.push(a.note);
      if (wrong === undefined) return { kind: 'prob', answer: a.token };
      const w = answerToken(wrong, enc[1] ?? [], 'wrong answer');
      if ('error' in w) return void vscode.window.showErrorMessage(w.error);
      if (w.note) notes.push(w.note);
      return { kind: 'logit_diff', answer: a.token, wrong: w.token };
    };
    const defAnswer = def.spec.kind === 'logit_diff' ? def.spec.answer : plan.topClean[0];
    if (options.metric || options.answer || options.wrong) {
      const kind = options.metric ?? 'logit_diff';
      if (kind === 'kl') return { spec: { kind: 'kl' }, notes };
      if (!options.answer && !options.wrong) {
        if (kind === 'logit_diff') return { spec: def.spec, notes };
        return { spec: { kind: 'prob', answer: { id: defAnswer.id, text: defAnswer.text } }, notes };
      }
      const answer = options.answer ?? defAnswer.text;
      const wrong = kind === 'logit_diff' ? (options.wrong ?? (def.spec.kind === 'logit_diff' ? def.spec.wrong.text : '')) : undefined;
      const m = await fromTyped(answer, wrong);
      return m ? { spec: m, notes } : undefined;
    }
    type Item = vscode.QuickPickItem & { id: 'default' | 'prob' | 'kl' | 'edit' };
    const topLine = (t: readonly { text: string; prob: number }[] | undefined) =>
      (t ?? [])
        .slice(0, 3)
        .map((x) => `‘${visibleText(x.text)}’ ${(x.prob * 100).toFixed(0)}%`)
        .join(', ');
    const items: Item[] = [
      {
        id: 'default',
        label: `Logit difference: ${metricLabel(def.spec)}`,
        description: 'default',
        detail: `clean predicts ${topLine(plan.topClean)}; corrupt predicts ${topLine(corrupt.topCorrupt)}`,
      },
      { id: 'prob', label: `Probability of ‘${visibleText(defAnswer.text)}’`, description: 'the clean prompt’s top next token' },
      { id: 'kl', label: 'KL divergence of the next-token distribution', description: 'KL(clean ‖ patched run)' },
      { id: 'edit', label: '$(edit) Logit difference of other tokens…', description: 'type the answer and the wrong answer' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Compare Token Substitution (3/3): metric', placeHolder: 'How to score each patched run' });
    if (!pick) return undefined;
    if (pick.id === 'default') return { spec: def.spec, notes };
    if (pick.id === 'kl') return { spec: { kind: 'kl' }, notes };
    if (pick.id === 'prob') return { spec: { kind: 'prob', answer: { id: defAnswer.id, text: defAnswer.text } }, notes };
    const answer = await vscode.window.showInputBox({
      title: 'Answer (the clean behaviour)',
      value: defAnswer.text,
      prompt: 'A multi-token answer is scored by its first token.',
    });
    if (answer === undefined) return undefined;
    const wrongDefault = def.spec.kind === 'logit_diff' ? def.spec.wrong.text : '';
    const wrong = await vscode.window.showInputBox({
      title: 'Wrong answer (the corrupt behaviour)',
      value: wrongDefault,
      prompt: 'A multi-token answer is scored by its first token.',
    });
    if (wrong === undefined) return undefined;
    const m = await fromTyped(answer, wrong);
    return m ? { spec: m, notes } : undefined;
  }
}
