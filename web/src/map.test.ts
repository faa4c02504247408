import { describe, expect, it } from "vitest";
import { timeline, type TimedPoint, type Track } from "./map";

const at = (camera_id: string, capture_ms: number): TimedPoint => ({ lat: 50.85, lon: 4.35, capture_ms, camera_id });
const track = (points: TimedPoint[], kind: "target" | "partner"): Track => ({
  points,
  marker: kind,
  line: kind,
  label: (p) => `${kind} ${p.camera_id}`,
});

describe("a results map's timeline (the time slider over every track drawn)", () => {
  // GIVEN a convoy: the target at C1, C2, C3 and its partner 5 s behind at C1, C2 (given out of order)
  const target = track([at("C1", 1_000), at("C2", 2_000), at("C3", 3_000)], "target");
  const partner = track([at("C2", 2_005), at("C1", 1_005)], "partner");
  const line = timeline([target, partner]);

  it("merges both tracks' sightings in time order", () => {
    expect(line.total).toBe(5);
    expect([1, 2, 3, 4, 5].map(line.at)).toEqual([1_000, 1_005, 2_000, 2_005, 3_000]);
    expect(line.at(0)).toBeUndefined();
  });

  it("draws each track up to the chosen sighting, markers and lines", () => {
    // WHEN the slider is at the first sighting THEN only the target's first marker, no line
    expect(line.upTo(1)).toEqual({ markers: [{ lat: 50.85, lon: 4.35, label: "target C1", kind: "target" }], lines: [] });
    // WHEN at the fourth THEN two of each, each a line in time order
    const four = line.upTo(4);
    expect(four.markers.map((m) => m.label)).toEqual(["target C1", "target C2", "partner C1", "partner C2"]);
    expect(four.lines.map((l) => [l.kind, l.points.map((p) => (p as TimedPoint).camera_id)])).toEqual([
      ["target", ["C1", "C2"]],
      ["partner", ["C1", "C2"]],
    ]);
    // WHEN at the end THEN everything
    expect(line.upTo(5).markers).toHaveLength(5);
  });

  it("keeps the tracks' order for sightings at the same time, and nothing for an empty map", () => {
    const tie = timeline([track([at("A", 7)], "target"), track([at("B", 7)], "partner")]);
    expect(tie.upTo(1).markers.map((m) => m.label)).toEqual(["target A"]);
    const none = timeline([]);
    expect(none.total).toBe(0);
    expect(none.upTo(0)).toEqual({ markers: [], lines: [] });
  });
});
