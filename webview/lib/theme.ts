/**
 * Theme colours for canvas drawing. VS Code sets the `--vscode-*` variables on <html> and the
 * theme kind as a class on <body>; this controller re-reads the element's colour roles whenever
 * either changes and asks its host to redraw.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { over, parseColor, type Rgba } from './color';

let probe: CanvasRenderingContext2D | null | undefined;

/** Resolves any CSS colour to RGBA via a canvas context's normalization. */
export function cssColorToRgba(css: string, fallback: Rgba): Rgba {
  if (!css.trim()) return fallback;
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return parseColor(css) ?? fallback;
  probe.fillStyle = '#010203';
  probe.fillStyle = css;
  const normalized = String(probe.fillStyle);
  if (normalized === '#010203' && css.trim().toLowerCase() !== '#010203') return parseColor(css) ?? fallback;
  return parseColor(normalized) ?? fallback;
}

export interface CanvasTheme {
  readonly background: Rgba;
  readonly heat: Rgba;
  readonly foreground: Rgba;
  readonly muted: Rgba;
  readonly border: Rgba;
  readonly focus: Rgba;
  readonly hover: Rgba;
  readonly fontFamily: string;
  readonly monoFamily: string;
  /** High-contrast themes: draw heavier outlines. */
  readonly highContrast: boolean;
}

const BLACK: Rgba = { r: 0, g: 0, b: 0, a: 1 };

/** Reads the element's colour roles (custom properties set in its styles) into RGBA. */
export function readCanvasTheme(el: Element): CanvasTheme {
  const cs = getComputedStyle(el);
  const get = (name: string) => cs.getPropertyValue(name);
  const background = over(cssColorToRgba(get('--ci-canvas-background'), { r: 31, g: 31, b: 31, a: 1 }), BLACK);
  const opaque = (name: string, fb: Rgba) => over(cssColorToRgba(get(name), fb), background);
  return {
    background,
    heat: opaque('--ci-heat-color', { r: 55, g: 148, b: 255, a: 1 }),
    foreground: opaque('--ci-canvas-foreground', { r: 204, g: 204, b: 204, a: 1 }),
    muted: opaque('--ci-canvas-muted', { r: 157, g: 157, b: 157, a: 1 }),
    border: opaque('--ci-canvas-border', { r: 128, g: 128, b: 128, a: 1 }),
    focus: opaque('--ci-canvas-focus', { r: 0, g: 120, b: 212, a: 1 }),
    hover: opaque('--ci-canvas-hover', { r: 204, g: 167, b: 0, a: 1 }),
    fontFamily: get('--vscode-font-family').trim() || 'system-ui, sans-serif',
    monoFamily: get('--vscode-editor-font-family').trim() || 'monospace',
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

/** Calls `host.requestUpdate()` and bumps `version` when VS Code changes the theme. */
export class ThemeController implements ReactiveController {
  version = 0;
  private observer?: MutationObserver;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.observer = new MutationObserver(() => {
      this.version++;
      this.host.requestUpdate();
    });
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    this.observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }
}
