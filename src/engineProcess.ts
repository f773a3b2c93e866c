/**
 * Entry of dist/engine.js: the model runs here, in a worker_thread, so onnxruntime's
 * blocking session.run() never stalls the extension host. All logic is in EngineService.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadHookedGpt2 } from './model/loadHookedGpt2';
import { isHostToEngine, type EngineToHost } from './engine/protocol';
import { EngineService } from './features/attention/engine/handlers';

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker_thread');

const data: unknown = workerData;
const threads = typeof data === 'object' && data !== null && 'threads' in data && typeof data.threads === 'number' ? data.threads : undefined;

const service = new EngineService(
  (dir, options) => loadHookedGpt2(dir, { ...options, threads: options.threads ?? threads }),
  (msg: EngineToHost, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer ?? []),
);

port.on('message', (msg: unknown) => {
  if (!isHostToEngine(msg)) {
    port.postMessage({ type: 'log', level: 'warn', message: `engine worker ignored a malformed message` } satisfies EngineToHost);
    return;
  }
  if (msg.type === 'dispose') {
    // Release the sessions, then let the thread end (the host terminates it if this hangs).
    void service.dispose().finally(() => port.close());
    return;
  }
  service.handle(msg);
});
