/**
 * The extension's one engine worker, shared by Inspect Attention and Compare Token Substitution:
 * the model is loaded (and held in memory) once. The worker serves both in turn: a sweep runs as
 * many small batches, and an inspection asked for mid-sweep runs between two of them.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import { EngineClient, type WorkerLike } from '../engine/client';

/** onnxruntime threads: the physical cores we may use, at most 4 (leave the editor some CPU). */
export function engineThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

export function createEngineClient(extensionPath: string, log: vscode.LogOutputChannel): EngineClient {
  const workerPath = path.join(extensionPath, 'dist', 'engineWorker.js');
  return new EngineClient(
    (): WorkerLike => {
      log.info(`starting engine worker ${workerPath}`);
      return new Worker(workerPath, { workerData: { threads: engineThreads() } });
    },
    (level, message) => log[level](`[engine] ${message}`),
  );
}
