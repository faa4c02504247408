import { describe, expect, it } from "vitest";
import { Outbox, type PendingAck } from "./outbox";

function memory() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

const ack = (id: string): PendingAck => ({ alert_id: id, outcome: "stopped", comment: "", queued_ms: 1 });

describe("Outbox", () => {
  it("keeps actions while offline and sends them in order once online", async () => {
    // GIVEN two acknowledgements queued while the network is down
    let online = false;
    const delivered: string[] = [];
    const box = new Outbox(memory(), async (a) => {
      if (!online) throw new TypeError("Failed to fetch");
      delivered.push(a.alert_id);
    });
    box.add(ack("a1"));
    box.add(ack("a2"));
    // WHEN flushing offline THEN nothing is lost and both stay pending
    await box.flush();
    expect(box.pending().map((a) => a.alert_id)).toEqual(["a1", "a2"]);
    // WHEN back online THEN both are sent in order and nothing is pending
    online = true;
    const { sent } = await box.flush();
    expect(sent).toEqual(["a1", "a2"]);
    expect(delivered).toEqual(["a1", "a2"]);
    expect(box.isPending("a1")).toBe(false);
  });

  it("drops an action the API refuses and reports it", async () => {
    // GIVEN an acknowledgement the API answers with a refusal (e.g. already acknowledged)
    const box = new Outbox(memory(), async () => {
      throw new Error("alert already acknowledged");
    });
    box.add(ack("a1"));
    // WHEN flushing THEN it is reported as refused and no longer pending
    const { refused } = await box.flush();
    expect(refused).toEqual([{ alert_id: "a1", error: "alert already acknowledged" }]);
    expect(box.pending()).toEqual([]);
  });

  it("sends an action once when flushes overlap, and what was added meanwhile too", async () => {
    // GIVEN a slow API and an acknowledgement queued
    const delivered: string[] = [];
    let release: () => void = () => {};
    const box = new Outbox(memory(), async (a) => {
      if (delivered.length === 0) await new Promise<void>((r) => (release = r));
      delivered.push(a.alert_id);
    });
    box.add(ack("a1"));
    // WHEN a second flush is asked for while the first is still sending, and a claim is queued
    const first = box.flush();
    const second = box.flush();
    box.add({ alert_id: "a2", kind: "claim", queued_ms: 2 });
    release();
    await Promise.all([first, second]);
    // THEN each action went out exactly once and nothing is pending
    expect(delivered).toEqual(["a1", "a2"]);
    expect(box.pending()).toEqual([]);
  });
});
