import type { HookName } from '../shared/hookNames';
import type { Float32Tensor } from './tensor';

/** Fetched hook values by TL name, like TL's ActivationCache (read-only). */
export class ActivationCache {
  constructor(private readonly values: ReadonlyMap<HookName, Float32Tensor>) {}

  get(name: HookName): Float32Tensor {
    const v = this.values.get(name);
    if (!v) throw new Error(`hook '${name}' is not in this cache (cached: ${[...this.values.keys()].join(', ') || 'none'})`);
    return v;
  }

  has(name: HookName): boolean {
    return this.values.has(name);
  }

  get names(): HookName[] {
    return [...this.values.keys()];
  }
}
