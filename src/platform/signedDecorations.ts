/**
 * Paints signed values over source ranges in the editors that show a document: one decoration type
 * per (sign, strength bucket), a diverging pair of hues (red positive, blue negative, as the
 * webviews' diverging scales; each theme kind its own shade), plus an outline on a focus range.
 * Any feature can use it; it knows no analysis.
 */
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { OffsetRange } from './offsets';

export interface SignedPaint {
  readonly range: OffsetRange;
  readonly sign: 1 | -1;
  /** 1..buckets. */
  readonly bucket: number;
  /** Shown when hovering the painted text. */
  readonly hover: string;
}

export interface ShownSignedDecorations {
  readonly uri: string;
  readonly painted: readonly { readonly range: vscode.Range; readonly sign: 1 | -1; readonly bucket: number; readonly hover: string }[];
  readonly focus?: vscode.Range;
}

/** Background alpha of a bucket: faint but visible at 1, strong with the text still readable at the top. */
export function signedAlpha(bucket: number, buckets: number): number {
  return Number((0.12 + (0.5 * bucket) / buckets).toFixed(3));
}

export class SignedDecorations extends Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();
  private readonly focusType: vscode.TextEditorDecorationType;
  private shown: ShownSignedDecorations | undefined;

  /**
   * `contextKey` (a `when`-clause key) is true while something is painted, so a keybinding such
   * as Escape can clear it.
   */
  constructor(
    readonly buckets: number,
    private readonly contextKey?: string,
  ) {
    super();
    for (const sign of [1, -1] as const) {
      for (let b = 1; b <= buckets; b++) {
        const a = signedAlpha(b, buckets);
        this.types.set(
          `${sign}:${b}`,
          this._register(
            vscode.window.createTextEditorDecorationType({
              // VS Code's charts.red / charts.blue defaults, as the webviews' diverging scales use them.
              dark: { backgroundColor: sign > 0 ? `rgba(241, 76, 76, ${a})` : `rgba(55, 148, 255, ${a})` },
              light: { backgroundColor: sign > 0 ? `rgba(229, 20, 0, ${a})` : `rgba(26, 133, 255, ${a})` },
              borderRadius: '2px',
              rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
            }),
          ),
        );
      }
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

  get current(): ShownSignedDecorations | undefined {
    return this.shown;
  }

  paint(document: vscode.TextDocument, painted: readonly SignedPaint[], focus?: OffsetRange): void {
    const toRange = (r: OffsetRange) => new vscode.Range(document.positionAt(r.start), document.positionAt(r.end));
    this.shown = {
      uri: document.uri.toString(),
      painted: painted.map((p) => ({ range: toRange(p.range), sign: p.sign, bucket: Math.max(1, Math.min(this.buckets, p.bucket)), hover: p.hover })),
      focus: focus ? toRange(focus) : undefined,
    };
    this.repaint();
    if (this.contextKey) void vscode.commands.executeCommand('setContext', this.contextKey, true);
  }

  clear(): void {
    const had = this.shown !== undefined;
    this.shown = undefined;
    for (const e of vscode.window.visibleTextEditors) this.apply(e, undefined);
    if (had && this.contextKey) void vscode.commands.executeCommand('setContext', this.contextKey, false);
  }

  private repaint(): void {
    for (const e of vscode.window.visibleTextEditors) this.apply(e, this.shown && e.document.uri.toString() === this.shown.uri ? this.shown : undefined);
  }

  private apply(editor: vscode.TextEditor, shown: ShownSignedDecorations | undefined): void {
    for (const [key, type] of this.types) {
      const ranges = shown ? shown.painted.filter((p) => `${p.sign}:${p.bucket}` === key) : [];
      editor.setDecorations(
        type,
        ranges.map((p) => ({ range: p.range, hoverMessage: p.hover })),
      );
    }
    editor.setDecorations(this.focusType, shown?.focus ? [shown.focus] : []);
  }
}
