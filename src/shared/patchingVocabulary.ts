/**
 * The words activation patching is described in, shared by the engine, the host, the CLI and the
 * webview: which sweeps exist, the two directions, and how a patched metric is normalised. Pure.
 */

export type SweepKind = 'resid_pre' | 'attn_out' | 'mlp_out' | 'z' | 'z_by_pos' | 'q' | 'k' | 'v' | 'pattern';
export const SWEEP_KINDS: readonly SweepKind[] = ['resid_pre', 'attn_out', 'mlp_out', 'z', 'z_by_pos', 'q', 'k', 'v', 'pattern'];

/**
 * denoise: run the corrupt prompt with clean activations patched in (finds what is sufficient);
 * noise: run the clean prompt with corrupt activations patched in (finds what is necessary).
 */
export type PatchDirection = 'denoise' | 'noise';
export const PATCH_DIRECTIONS: readonly PatchDirection[] = ['denoise', 'noise'];

/**
 * (patched − corrupt) / (clean − corrupt): 1 where the patch restores the clean behaviour, 0 where it
 * leaves the corrupt one. Undefined when clean and corrupt give the same metric.
 */
export function normalisePatched(patched: number, clean: number, corrupt: number): number {
  return (patched - corrupt) / (clean - corrupt);
}
