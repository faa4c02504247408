// Outgoing actions kept while the connection is down, retried in order, shown as pending:
// acknowledgements (close with an outcome) and claims ("I'm on it").
export interface PendingAck {
  alert_id: string;
  kind?: "ack";
  outcome: "stopped" | "not_found" | "misread" | "other";
  comment: string;
  queued_ms: number;
}

export interface PendingClaim {
  alert_id: string;
  kind: "claim";
  queued_ms: number;
}

export type PendingAction = PendingAck | PendingClaim;

export interface FlushResult {
  sent: string[];
  refused: { alert_id: string; error: string }[];
}

export interface Store {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
}

const KEY = "anpr.patrol.outbox";
const kindOf = (a: PendingAction) => a.kind ?? "ack";

export class Outbox {
  constructor(
    private store: Store,
    private send: (a: PendingAction) => Promise<void>,
  ) {}

  pending(): PendingAction[] {
    return JSON.parse(this.store.getItem(KEY) ?? "[]");
  }

  isPending(alertId: string, kind: "ack" | "claim" = "ack"): boolean {
    return this.pending().some((a) => a.alert_id === alertId && kindOf(a) === kind);
  }

  add(a: PendingAction): void {
    const others = this.pending().filter((p) => !(p.alert_id === a.alert_id && kindOf(p) === kindOf(a)));
    this.store.setItem(KEY, JSON.stringify([...others, a]));
  }

  private running: Promise<FlushResult> | null = null;
  private again = false;

  /** Send what is queued; a network failure keeps it (and stops), a refusal by the API drops it.
   * One flush at a time: a flush asked for while one runs (a click, the connection coming back,
   * the live channel reconnecting) joins it and makes it go round once more, so an action is never
   * sent twice (the second would be refused: "already acknowledged"). */
  flush(): Promise<FlushResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      const total: FlushResult = { sent: [], refused: [] };
      do {
        this.again = false;
        const r = await this.flushOnce();
        total.sent.push(...r.sent);
        total.refused.push(...r.refused);
      } while (this.again);
      return total;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async flushOnce(): Promise<FlushResult> {
    const sent: string[] = [];
    const refused: { alert_id: string; error: string }[] = [];
    for (const a of this.pending()) {
      try {
        await this.send(a);
        sent.push(a.alert_id);
      } catch (e) {
        if (e instanceof TypeError) break; // offline: keep it and the rest, in order
        refused.push({ alert_id: a.alert_id, error: e instanceof Error ? e.message : String(e) });
      }
      this.store.setItem(KEY, JSON.stringify(this.pending().filter((p) => !(p.alert_id === a.alert_id && kindOf(p) === kindOf(a)))));
    }
    return { sent, refused };
  }
}
