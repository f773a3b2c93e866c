/**
 * The width a component may draw in, kept current: a ResizeObserver watches the host while it is
 * connected and hands each new measure to the host, which keeps it in a `@state` so a new width
 * re-renders it. By default the measure is the host's content width in whole CSS px; a host whose
 * canvas shares the row with other parts measures itself (`undefined`: nothing to measure yet).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class ResizeWidthController implements ReactiveController {
  private readonly observer: ResizeObserver;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    onWidth: (cssPx: number) => void,
    measure: () => number | undefined = () => Math.floor(host.clientWidth),
  ) {
    this.observer = new ResizeObserver(() => {
      const w = measure();
      if (w !== undefined) onWidth(w);
    });
    host.addController(this);
  }

  hostConnected(): void {
    this.observer.observe(this.host);
  }

  hostDisconnected(): void {
    this.observer.disconnect();
  }
}
