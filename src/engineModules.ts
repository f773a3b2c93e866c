/** Every feature's engine half, served by the engine process (src/engineProcess.ts). */
import type { AnyEngineModule } from './engine/registry';
import { attentionEngine } from './features/attention/engine/handlers';
import { datasetEngine } from './features/dataset/engine/handlers';
import { residualEngine } from './features/residual/engine/handlers';
import { saeEngine } from './features/sae/engine/handlers';
import { substitutionEngine } from './features/substitution/engine/handlers';

export const ENGINE_MODULES: readonly AnyEngineModule[] = [attentionEngine, substitutionEngine, residualEngine, saeEngine, datasetEngine];
