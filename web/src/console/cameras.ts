// The camera registry (GET /cameras), fetched once per page: names, positions, zones.
import { call } from "../api/client";
import type { Camera } from "../api/types";

let cameras: Promise<Map<string, Camera>> | null = null;

export function cameraIndex(): Promise<Map<string, Camera>> {
  cameras ??= call("get", "/cameras").then((body) => new Map((body.cameras as Camera[]).map((c) => [c.camera_id, c])));
  return cameras;
}
