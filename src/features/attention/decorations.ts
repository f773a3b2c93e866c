/**
 * Paints the focused head's attention over the inspected source: one decoration type per weight
 * bucket (background opacity by weight, separate colours for light and dark themes), plus an
 * outline on the focused token. The `circuitInspector.decorationsShown` context key lets Escape
 * clear them.
 */
import * as vscode from 'vscode';
import { bucketAlpha, WEIGHT_BUCKETS, type DecorationPlan } from './decorationPlan';
import type { OffsetRange } from '../../platform/offsets';
import { Disposable } from '../../platform/disposable';

export const DECORATIONS_SHOWN_KEY = 'circuitInspector.decorationsShown';

export interface ShownDecorations {
  readonly uri: string;
  readonly painted: readonly { readonly range: vscode.Range; readonly bucket: number; readonly weight: number }[];
  readonly focus?: vscode.Range;
}

export class AttentionDecorations extends Disposable {
  private readonly buckets: vscode.TextEditorDecorationType[] = [];
  private readonly focusType: vscode.TextEditorDecorationType;
  private shown: ShownDecorations | undefined;

  constructor() {
    super();
    for (let b = 1; b <= WEIGHT_BUCKETS; b++) {
      const a = bucketAlpha(b);
      this.buckets.push(
        this._register(
          vscode.window.createTextEditorDecorationType({
            // Warm orange on dark themes, deep blue on light ones; high contrast gets an outline too.
            dark: { backgroundColor: `rgba(255, 140, 0, ${a})` },
            light: { backgroundColor: `rgba(0, 102, 204, ${a})` },
            borderRadius: '2px',
            rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
          }),
        ),
      );
    }
    this.focusType = this._register(
      vscode.window.createTextEditorDecorationType({
        outlineColor: new vscode.ThemeColor('focusBorder'),
        outlineStyle: 'solid',
        outlineWidth: '1px',
        borderRadius: '2px',
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    );
    this._register(vscode.window.onDidChangeVisibleTextEditors(() => this.repaint()));
  }

  get current(): ShownDecorations | undefined {
    return this.shown;
  }

  paint(document: vscode.TextDocument, plan: DecorationPlan): void {
    const toRange = (r: OffsetRange) => new vscode.Range(document.positionAt(r.start), document.positionAt(r.end));
    this.shown = {
      uri: document.uri.toString(),
      painted: plan.painted.map((p) => ({ range: toRange(p.range), bucket: p.bucket, weight: p.weight })),
      focus: plan.focus ? toRange(plan.focus) : undefined,
    };
    this.repaint();
    void vscode.commands.executeCommand('setContext', DECORATIONS_SHOWN_KEY, true);
  }

  clear(): void {
    const had = this.shown !== undefined;
    this.shown = undefined;
    for (const e of vscode.window.visibleTextEditors) this.apply(e, undefined);
    if (had) void vscode.commands.executeCommand('setContext', DECORATIONS_SHOWN_KEY, false);
  }

  private repaint(): void {
    for (const e of vscode.window.visibleTextEditors) {
      this.apply(e, this.shown && e.document.uri.toString() === this.shown.uri ? this.shown : undefined);
    }
  }

  private apply(editor: vscode.TextEditor, shown: ShownDecorations | undefined): void {
    this.buckets.forEach((type, i) => {
      const ranges = shown ? shown.painted.filter((p) => p.bucket === i + 1) : [];
      editor.setDecorations(
        type,
        ranges.map((p) => ({ range: p.range, hoverMessage: `attention ${p.weight.toFixed(3)}` })),
      );
    });
    editor.setDecorations(this.focusType, shown?.focus ? [shown.focus] : []);
  }
}
