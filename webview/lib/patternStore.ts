/**
 * Full head patterns fetched from the host on demand, kept in an LRU bounded by bytes (a
 * 1024-token pattern is 4 MiB), with the requests in flight. Pure: the root element posts the
 * requests and feeds the responses in.
 */
import { headLabel, type HeadRef } from '../../src/shared/inspection';

export interface PatternView {
  /** Bumped on every change, so context consumers see a new value. */
  readonly version: number;
  get(head: HeadRef): Float32Array | undefined;
  isPending(head: HeadRef): boolean;
  errorOf(head: HeadRef): string | undefined;
}

export class PatternStore {
  private inspectionId = '';
  private readonly patterns = new Map<string, Float32Array>();
  private readonly errors = new Map<string, string>();
  private readonly pending = new Map<number, HeadRef>();
  private bytes = 0;
  private nextId = 1;
  private version = 0;

  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

  /** Forgets everything: a new inspection arrived. Responses to older requests are then ignored. */
  reset(inspectionId: string): void {
    this.inspectionId = inspectionId;
    this.patterns.clear();
    this.errors.clear();
    this.pending.clear();
    this.bytes = 0;
    this.version++;
  }

  get currentInspectionId(): string {
    return this.inspectionId;
  }

  /** Whether `head` needs a request (neither cached, nor in flight, nor failed). */
  needs(head: HeadRef): boolean {
    const key = headLabel(head);
    return !this.patterns.has(key) && !this.errors.has(key) && !this.isPending(head);
  }

  /** Records a request for `head` and returns its id. */
  begin(head: HeadRef): number {
    const id = this.nextId++;
    this.pending.set(id, head);
    this.version++;
    return id;
  }

  /** Stores a response; returns the head it answered, or undefined for unknown/outdated ids. */
  complete(id: number, inspectionId: string | undefined, result: { pattern: Float32Array } | { error: string }): HeadRef | undefined {
    const head = this.pending.get(id);
    if (!head) return undefined;
    this.pending.delete(id);
    this.version++;
    if (inspectionId !== undefined && inspectionId !== this.inspectionId) return undefined;
    const key = headLabel(head);
    if ('error' in result) {
      this.errors.set(key, result.error);
      return head;
    }
    this.patterns.delete(key);
    this.patterns.set(key, result.pattern);
    this.bytes += result.pattern.byteLength;
    for (const [k, p] of this.patterns) {
      if (this.bytes <= this.maxBytes || k === key) break;
      this.patterns.delete(k);
      this.bytes -= p.byteLength;
    }
    return head;
  }

  isPending(head: HeadRef): boolean {
    for (const h of this.pending.values()) if (h.layer === head.layer && h.head === head.head) return true;
    return false;
  }

  /** An immutable view for the context (a new object per version). */
  view(): PatternView {
    const key = headLabel;
    const touch = (head: HeadRef) => {
      const k = key(head);
      const p = this.patterns.get(k);
      if (p) {
        // Most recently used goes last.
        this.patterns.delete(k);
        this.patterns.set(k, p);
      }
      return p;
    };
    return {
      version: this.version,
      get: touch,
      isPending: (head) => this.isPending(head),
      errorOf: (head) => this.errors.get(key(head)),
    };
  }
}
