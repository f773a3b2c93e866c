/**
 * Test engines: the real EngineServer with every feature module, in this thread, with the same
 * message flow as the engine process (each message structured-cloned, replies asynchronous); and a
 * fake transport whose replies a test writes by hand.
 */
import { EventEmitter } from 'node:events';
import { EngineClient, type EngineTransport } from '../../../src/engine/client';
import type { EngineToHost, HostToEngine } from '../../../src/engine/protocol';
import { EngineServer } from '../../../src/engine/server';
import { ENGINE_MODULES } from '../../../src/engineModules';
import { loadHookedGpt2 } from '../../../src/model/loadHookedGpt2';

export class InProcessEngine extends EventEmitter implements EngineTransport {
  readonly server: EngineServer;
  readonly sent: HostToEngine[] = [];
  loads = 0;
  /** Model runs (forward passes) of every model this engine loaded. */
  forwards = 0;
  constructor() {
    super();
    this.server = new EngineServer(
      async (dir, o) => {
        this.loads++;
        const loaded = await loadHookedGpt2(dir, o);
        const run = loaded.model.run.bind(loaded.model);
        loaded.model.run = (...args: Parameters<typeof run>) => {
          this.forwards++;
          return run(...args);
        };
        return loaded;
      },
      (msg: EngineToHost) => setImmediate(() => this.emit('message', structuredClone(msg))),
      ENGINE_MODULES,
      1,
    );
  }
  send(msg: HostToEngine): void {
    this.sent.push(msg);
    if (msg.type === 'dispose') {
      void this.server.dispose().then(() => this.emit('exit', 0, null));
      return;
    }
    this.server.handle(structuredClone(msg));
  }
  kill(): void {
    void this.server.dispose();
    this.emit('exit', null, 'SIGKILL');
  }
}

export class FakeTransport extends EventEmitter implements EngineTransport {
  readonly sent: HostToEngine[] = [];
  send(msg: HostToEngine): void {
    this.sent.push(msg);
    if (msg.type === 'dispose') setImmediate(() => this.emit('exit', 0, null));
  }
  reply(msg: EngineToHost): void {
    this.emit('message', msg);
  }
  kill(): void {
    this.emit('exit', null, 'SIGKILL');
  }
}

/** An EngineClient whose engines are InProcessEngines; `engines` lists every one it started (a restart adds one). */
export function inProcessClient(): { owner: EngineClient; engines: InProcessEngine[] } {
  const engines: InProcessEngine[] = [];
  const owner = new EngineClient(() => {
    const e = new InProcessEngine();
    engines.push(e);
    return e;
  });
  return { owner, engines };
}
