/**
 * Paints bucketed ranges over a document in the editors that show it: one decoration type per
 * style key (a background for dark and one for light themes), plus an outline on a focus range.
 * Editors opened later are painted too, and `contextKey` (a `when`-clause key) is true while
 * something is painted, so a keybinding such as Escape can clear it. It knows no analysis: a
 * subclass says which style and hover each painted range gets.
 */
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { OffsetRange } from './offsets';

/** What is painted now, for tests and the feature's API. */
export interface ShownRanges<P> {
  readonly uri: string;
  readonly painted: readonly P[];
  readonly focus?: vscode.Range;
}

/** A style's background colour (any CSS colour) on dark and on light themes. */
export interface RangeBackground {
  readonly dark: string;
  readonly light: string;
}

export abstract class RangeDecorations<P extends { readonly range: vscode.Range }> extends Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();
  private readonly focusType: vscode.TextEditorDecorationType;
  private shown: ShownRanges<P> | undefined;

  /** `styles`: a background per key, in the order the decoration types are made. */
  constructor(
    styles: ReadonlyMap<string, RangeBackground>,
    private readonly contextKey?: string,
  ) {
    super();
    for (const [key, bg] of styles) {
      this.types.set(
        key,
        this._register(
          vscode.window.createTextEditorDecorationType({
            dark: { backgroundColor: bg.dark },
            light: { backgroundColor: bg.light },
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

  /** The style key (one of the constructor's) a painted range is drawn with. */
  protected abstract styleOf(p: P): string;
  /** Shown when hovering the painted text. */
  protected abstract hoverOf(p: P): string;

  get current(): ShownRanges<P> | undefined {
    return this.shown;
  }

  /** Paints `document`: `painted` gets each offset range turned into a `vscode.Range`. */
  protected show(document: vscode.TextDocument, painted: (toRange: (r: OffsetRange) => vscode.Range) => readonly P[], focus?: OffsetRange): void {
    const toRange = (r: OffsetRange) => new vscode.Range(document.positionAt(r.start), document.positionAt(r.end));
    this.shown = { uri: document.uri.toString(), painted: painted(toRange), focus: focus ? toRange(focus) : undefined };
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

  private apply(editor: vscode.TextEditor, shown: ShownRanges<P> | undefined): void {
    for (const [key, type] of this.types) {
      const ranges = shown ? shown.painted.filter((p) => this.styleOf(p) === key) : [];
      editor.setDecorations(
        type,
        ranges.map((p) => ({ range: p.range, hoverMessage: this.hoverOf(p) })),
      );
    }
    editor.setDecorations(this.focusType, shown?.focus ? [shown.focus] : []);
  }
}
