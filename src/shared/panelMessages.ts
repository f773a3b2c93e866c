/**
 * Payloads that many feature panels' protocols share, with their guards, written once: the
 * webview's `ready` handshake, a command about one run, and a canvas saved as PNG. Pure.
 */
import { isPositiveInt, isRecord, isString } from './guards';

/** The webview's handshake: its listener is installed, speaking this protocol version. */
export interface ReadyParams {
  readonly protocolVersion: number;
}

/** A command about one run (cancel it, …). */
export interface RunIdParams {
  readonly runId: string;
}

/** Save a canvas of a run as PNG, through a save dialog. */
export interface ExportPngParams {
  readonly runId: string;
  /** Suggested file name without extension, e.g. "z-denoise". */
  readonly name: string;
  /** `data:image/png;base64,…` from canvas.toDataURL(). */
  readonly dataUrl: string;
}

export function isReadyParams(v: unknown): v is ReadyParams {
  return isRecord(v) && isPositiveInt(v.protocolVersion);
}

export function isRunIdParams(v: unknown): v is RunIdParams {
  return isRecord(v) && isString(v.runId);
}

/** A PNG export's `name` (safe as a file name, no extension) and `dataUrl` (a base64 PNG), whatever the record says it belongs to. */
export function hasPngExport(v: Record<string, unknown>): boolean {
  return isString(v.name) && /^[\w.-]{1,80}$/.test(v.name) && isString(v.dataUrl) && v.dataUrl.startsWith('data:image/png;base64,');
}

export function isExportPngParams(v: unknown): v is ExportPngParams {
  return isRecord(v) && isString(v.runId) && hasPngExport(v);
}
