/**
 * Entry of dist/engine.js, the engine process: the model runs here, outside the extension host, so
 * onnxruntime's blocking runs never stall the editor and a crash or an out-of-memory error ends
 * only this process.
 */
import { serveOverProcessChannel } from './engine/processMain';
import { ENGINE_MODULES } from './engineModules';

serveOverProcessChannel(ENGINE_MODULES);
