/**
 * TransformerLens hook names: the public contract of the engine. Strings are TL's exactly
 * (`blocks.3.attn.hook_pattern`) so golden files and notebooks carry over. No `vscode` import:
 * this module is bundled into the webview too.
 */

/** Hook points inside block `l`, keyed by their suffix after `blocks.{l}.`, with their TL axes. */
export const BLOCK_HOOK_AXES = {
  hook_resid_pre: ['batch', 'pos', 'd_model'],
  'ln1.hook_scale': ['batch', 'pos', '1'],
  'ln1.hook_normalized': ['batch', 'pos', 'd_model'],
  'attn.hook_q': ['batch', 'pos', 'head_index', 'd_head'],
  'attn.hook_k': ['batch', 'pos', 'head_index', 'd_head'],
  'attn.hook_v': ['batch', 'pos', 'head_index', 'd_head'],
  'attn.hook_attn_scores': ['batch', 'head_index', 'query_pos', 'key_pos'],
  'attn.hook_pattern': ['batch', 'head_index', 'query_pos', 'key_pos'],
  'attn.hook_z': ['batch', 'pos', 'head_index', 'd_head'],
  'attn.hook_result': ['batch', 'pos', 'head_index', 'd_model'],
  hook_attn_out: ['batch', 'pos', 'd_model'],
  hook_resid_mid: ['batch', 'pos', 'd_model'],
  'ln2.hook_scale': ['batch', 'pos', '1'],
  'ln2.hook_normalized': ['batch', 'pos', 'd_model'],
  'mlp.hook_pre': ['batch', 'pos', 'd_mlp'],
  'mlp.hook_post': ['batch', 'pos', 'd_mlp'],
  hook_mlp_out: ['batch', 'pos', 'd_model'],
  hook_resid_post: ['batch', 'pos', 'd_model'],
} as const;

/** Hook points outside the blocks. */
export const GLOBAL_HOOK_AXES = {
  hook_embed: ['batch', 'pos', 'd_model'],
  hook_pos_embed: ['batch', 'pos', 'd_model'],
  'ln_final.hook_scale': ['batch', 'pos', '1'],
  'ln_final.hook_normalized': ['batch', 'pos', 'd_model'],
} as const;

export type BlockHookSuffix = keyof typeof BLOCK_HOOK_AXES;
export type GlobalHookName = keyof typeof GLOBAL_HOOK_AXES;
export type BlockHookName<S extends BlockHookSuffix = BlockHookSuffix> = `blocks.${number}.${S}`;
export type HookName = GlobalHookName | BlockHookName;
export type AxisName = (typeof BLOCK_HOOK_AXES)[BlockHookSuffix][number] | (typeof GLOBAL_HOOK_AXES)[GlobalHookName][number];

export const BLOCK_HOOK_SUFFIXES = Object.keys(BLOCK_HOOK_AXES) as BlockHookSuffix[];
export const GLOBAL_HOOK_NAMES = Object.keys(GLOBAL_HOOK_AXES) as GlobalHookName[];

/** Hooks that hold one slice per head, and the axis that indexes heads. */
export const HEAD_AXIS: Partial<Record<BlockHookSuffix, number>> = {
  'attn.hook_q': 2,
  'attn.hook_k': 2,
  'attn.hook_v': 2,
  'attn.hook_z': 2,
  'attn.hook_result': 2,
  'attn.hook_attn_scores': 1,
  'attn.hook_pattern': 1,
};

export type ParsedHook =
  { readonly kind: 'global'; readonly name: GlobalHookName } | { readonly kind: 'block'; readonly layer: number; readonly suffix: BlockHookSuffix };

export function blockHook<S extends BlockHookSuffix>(layer: number, suffix: S): BlockHookName<S> {
  return `blocks.${layer}.${suffix}`;
}

/**
 * Parses a TL hook name, checking the layer against `nLayers`. Errors name the problem and list
 * what would have been valid.
 */
export function parseHookName(name: string, nLayers: number): ParsedHook {
  if ((GLOBAL_HOOK_NAMES as string[]).includes(name)) return { kind: 'global', name: name as GlobalHookName };
  const m = /^blocks\.(\d+)\.(.+)$/.exec(name);
  if (!m) {
    throw new Error(`unknown hook name '${name}': expected one of ${GLOBAL_HOOK_NAMES.join(', ')} or blocks.{layer}.{${BLOCK_HOOK_SUFFIXES.join('|')}}`);
  }
  const layer = Number(m[1]);
  const suffix = m[2];
  if (!(BLOCK_HOOK_SUFFIXES as string[]).includes(suffix)) {
    throw new Error(`unknown hook name '${name}': '${suffix}' is not a block hook (one of ${BLOCK_HOOK_SUFFIXES.join(', ')})`);
  }
  if (!Number.isInteger(layer) || layer < 0 || layer >= nLayers) {
    throw new Error(`hook '${name}' names layer ${m[1]}, but the model has ${nLayers} layers (0..${nLayers - 1})`);
  }
  return { kind: 'block', layer, suffix: suffix as BlockHookSuffix };
}

export function hookAxes(parsed: ParsedHook): readonly string[] {
  return parsed.kind === 'global' ? GLOBAL_HOOK_AXES[parsed.name] : BLOCK_HOOK_AXES[parsed.suffix];
}
