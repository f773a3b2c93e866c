/**
 * The device pixel ratio, kept current: moving the panel to another monitor or changing the
 * browser zoom changes it, and canvases must then redraw at the new resolution. A
 * `(resolution: Xdppx)` media query stops matching when the ratio changes; the controller then
 * re-reads the ratio, listens for the next change and asks its host to update.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class DevicePixelRatioController implements ReactiveController {
  /** The current ratio (1 when the browser reports none). */
  value = 1;
  private query?: MediaQueryList;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.listen();
  }

  hostDisconnected(): void {
    this.query?.removeEventListener('change', this.onChange);
    this.query = undefined;
  }

  private listen(): void {
    this.query?.removeEventListener('change', this.onChange);
    this.value = window.devicePixelRatio || 1;
    this.query = window.matchMedia(`(resolution: ${this.value}dppx)`);
    this.query.addEventListener('change', this.onChange);
  }

  private readonly onChange = () => {
    this.listen();
    this.host.requestUpdate();
  };
}

/**
 * Starts a drawing: sizes `canvas`'s backing store for `width` × `height` CSS px at `dpr` (which
 * clears it), scales `ctx` so drawing is in CSS px, and fills it with an opaque `background`, so an
 * exported PNG reads the same outside VS Code.
 */
export function startCanvas(canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, width: number, height: number, dpr: number, background: string): void {
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, width, height);
}
