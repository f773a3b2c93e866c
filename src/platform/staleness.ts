/**
 * Whether an inspection still describes its document. No `vscode` import: documents are named by
 * URI string and version. Any change to the inspected document (anywhere: offsets after an edit
 * would be wrong) or closing it makes the inspection stale; it never becomes fresh again, a new
 * inspection replaces it.
 */

export interface InspectedDocument {
  readonly uri: string;
  readonly version: number;
}

export class StalenessTracker {
  private doc: InspectedDocument | undefined;
  private reason: string | undefined;

  /** A new inspection of `doc` starts fresh. */
  reset(doc: InspectedDocument): void {
    this.doc = doc;
    this.reason = undefined;
  }

  clear(): void {
    this.doc = undefined;
    this.reason = undefined;
  }

  get stale(): boolean {
    return this.reason !== undefined;
  }

  get staleReason(): string | undefined {
    return this.reason;
  }

  get document(): InspectedDocument | undefined {
    return this.doc;
  }

  /**
   * A document changed to `version`. Returns true when this made the inspection stale (the first
   * time only), so the caller notifies once.
   */
  documentChanged(uri: string, version: number, hasContentChanges = true): boolean {
    if (!this.doc || this.stale || uri !== this.doc.uri) return false;
    if (!hasContentChanges || version === this.doc.version) return false;
    this.reason = 'the document was edited after this inspection';
    return true;
  }

  documentClosed(uri: string): boolean {
    return this.markStale(uri, 'the document was closed');
  }

  /** Settings such as the model changed: results no longer match what a run would give. */
  settingsChanged(what: string): boolean {
    return this.doc ? this.markStale(this.doc.uri, `${what} changed after this inspection`) : false;
  }

  private markStale(uri: string, reason: string): boolean {
    if (!this.doc || this.stale || uri !== this.doc.uri) return false;
    this.reason = reason;
    return true;
  }
}
