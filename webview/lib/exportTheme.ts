/**
 * The palette of an exported figure: a white background, dark text and fixed chart colours
 * whatever the editor theme, so a PNG reads the same in a paper or on a slide.
 */
import type { Rgba } from './color';
import type { CanvasTheme } from './theme';

const rgb = (r: number, g: number, b: number): Rgba => ({ r, g, b, a: 1 });

export const EXPORT_THEME: CanvasTheme = {
  background: rgb(255, 255, 255),
  heat: rgb(33, 102, 172),
  foreground: rgb(31, 31, 31),
  muted: rgb(85, 85, 85),
  border: rgb(150, 150, 150),
  focus: rgb(0, 0, 0),
  hover: rgb(0, 0, 0),
  fontFamily: 'system-ui, sans-serif',
  monoFamily: 'monospace',
  highContrast: false,
};

/** The diverging ends of exported figures (blue negative, red positive), as the patching heatmap's PNG. */
export const EXPORT_NEG: Rgba = rgb(33, 102, 172);
export const EXPORT_POS: Rgba = rgb(178, 24, 43);
