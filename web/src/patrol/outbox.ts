// Outgoing actions kept while the connection is down, retried in order, shown as pending.
export interface PendingAck {
  alert_id: string;
  outcome: "stopped" | "not_found" | "misread" | "other";
  comment: string;
  queued_ms: number;
}

export interface Store {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
}

const KEY = "anpr.patrol.outbox";

export class Outbox {
  constructor(
    private store: Store,
    private send: (a: PendingAck) => Promise<void>,
  ) {}

  pending(): PendingAck[] {
    return JSON.parse(this.store.getItem(KEY) ?? "[]");
  }

  isPending(alertId: string): boolean {
    return this.pending().some((a) => a.alert_id === alertId);
  }

  add(a: PendingAck): void {
    this.store.setItem(KEY, JSON.stringify([...this.pending().filter((p) => p.alert_id !== a.alert_id), a]));
  }

  /** Send what is queued; a network failure keeps it (and stops), a refusal by the API drops it. */
  async flush(): Promise<{ sent: string[]; refused: { alert_id: string; error: string }[] }> {
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
      this.store.setItem(KEY, JSON.stringify(this.pending().filter((p) => p.alert_id !== a.alert_id)));
    }
    return { sent, refused };
  }
}
