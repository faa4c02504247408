// The live channel: one WebSocket per signed-in officer (token in the query string, checked by
// the $connect function), reconnecting with back-off when the connection is flaky.
import type { LiveMessage } from "../api/types";

export type LiveState = "live" | "reconnecting";

export class Live {
  private ws: WebSocket | null = null;
  private delay = 1000;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private url: string,
    private token: () => string | null,
    private onMessage: (m: LiveMessage) => void,
    private onState: (s: LiveState, reconnected: boolean) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.open(false);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
  }

  /** The device lost its network: close now (a half-open socket would look live), retry later. */
  drop(): void {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close();
  }

  /** Reconnect now (e.g. the browser says it is back online). */
  retry(): void {
    if (this.stopped || this.ws?.readyState === WebSocket.OPEN || this.ws?.readyState === WebSocket.CONNECTING) return;
    if (this.timer) clearTimeout(this.timer);
    this.open(true);
  }

  private open(again: boolean): void {
    const token = this.token();
    if (!token || this.stopped) return;
    const ws = new WebSocket(`${this.url}/?token=${encodeURIComponent(token)}`);
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 1000;
      this.onState("live", again);
    };
    ws.onmessage = (e) => {
      try {
        const m = JSON.parse(String(e.data)) as LiveMessage;
        if (m && m.alert && m.type) this.onMessage(m);
      } catch {
        /* not ours: ignored */
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      this.onState("reconnecting", false);
      this.timer = setTimeout(() => this.open(true), this.delay);
      this.delay = Math.min(this.delay * 2, 15_000);
    };
  }
}
