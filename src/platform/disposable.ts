/** A base class that owns disposables, so cleanup is registered where a resource is made. */
import type * as vscode from 'vscode';

export abstract class Disposable implements vscode.Disposable {
  private _disposables: vscode.Disposable[] = [];
  private _isDisposed = false;

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    const all = this._disposables.splice(0).reverse();
    for (const d of all) {
      try {
        d.dispose();
      } catch {
        // keep disposing the rest
      }
    }
  }

  protected _register<T extends vscode.Disposable>(d: T): T {
    if (this._isDisposed) d.dispose();
    else this._disposables.push(d);
    return d;
  }
}
