/**
 * What a feature panel's root takes from the page while it is connected: the host's messages
 * (window `message` events, handed to `receive`) and its own content width in whole CSS px, which
 * re-renders the panel only when it moves by more than 4 px (a layout that switches at a width
 * does not flicker on a scrollbar).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class PanelHostController implements ReactiveController {
  /** The panel's content width, CSS px (1000 until the first measure). */
  width = 1000;
  private resize?: ResizeObserver;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly receive: (msg: unknown) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('message', this.onMessage);
    this.resize = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0 && Math.abs(w - this.width) > 4) {
        this.width = w;
        this.host.requestUpdate();
      }
    });
    this.resize.observe(this.host);
  }

  hostDisconnected(): void {
    window.removeEventListener('message', this.onMessage);
    this.resize?.disconnect();
  }

  private onMessage = (ev: MessageEvent) => this.receive(ev.data);
}
