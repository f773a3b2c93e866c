export const SHIPPED_SAE_HOOK = 'blocks.1.hook_resid_pre';

/** Where an SAE comes from: the setting's string '' | folder | 'hf:owner/repo:subfolder'. */
export type SaeSource =
  | { readonly kind: 'shipped' }
  | { readonly kind: 'folder'; readonly folder: string }
  | { readonly kind: 'hub'; readonly repo: string; readonly subfolder: string; readonly revision?: string };

export function parseSaeSource(source: string): SaeSource {
  void source;
  throw new Error('parseSaeSource: not yet');
}

/** models/gpt2-python-mini/sae/blocks.1.hook_resid_pre */
export function shippedSaeFolder(): string {
  throw new Error('shippedSaeFolder: not yet');
}
