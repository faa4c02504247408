// Response shapes the API returns as free-form objects (the OpenAPI document types requests;
// these are what the handlers build: anpr.search.models, anpr.alerts.publisher, anpr.accountability).
export interface Camera {
  camera_id: string;
  name: string;
  lat: number;
  lon: number;
  heading: number | null;
  road: string;
  zone: string;
  status: string;
}

export interface SearchJob {
  job_id: string;
  type: string;
  status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED" | string;
  progress: { partitions_total: number; partitions_done: number; percent: number };
  result_count: number;
  estimate?: Record<string, unknown> | null;
  error?: string | null;
}

export interface Sighting {
  read_id?: string;
  plate: string;
  capture_ms: number;
  camera_id: string;
  zone?: string;
  lat: number;
  lon: number;
  confidence: number;
}

export interface ConvoyPartner {
  plate: string;
  score: number;
  cameras: number;
  camera_ids: string[];
  first_ms: number;
  last_ms: number;
}

export interface SearchResults {
  job_id: string;
  type: string;
  total: number;
  items: (Sighting | ConvoyPartner)[];
  sightings?: Sighting[];
  summary?: Record<string, unknown>;
}

export interface AlertSummary {
  alert_id: string;
  status: string;
  plate: string;
  match_kind: string;
  priority: string;
  category: string;
  zone: string;
  national: boolean;
  camera_name: string;
  capture_ms: number;
  sighting_count: number;
  outcome: string | null;
  /** who took it ("I'm on it"), and when; escalated: unclaimed too long (supervisor, dispatch) */
  claimed_by?: string | null;
  claimed_ms?: number | null;
  escalated?: boolean;
  unverified?: boolean;
}

/** A message on the live channel (anpr.live.models, the fan-out). */
export interface LiveMessage {
  schema: "anpr.live/1";
  type: "alert" | "alert.claimed" | "alert.closed";
  alert: AlertSummary;
}

export interface AlertView extends AlertSummary {
  crop_url?: string | null;
  photo_url?: string | null;
  handling_instructions?: string;
  entry_plate?: string;
  direction?: string | null;
  acknowledgement?: { outcome: string; comment: string; by_name?: string } | null;
}

export interface AccessRow {
  seq: number;
  at: string;
  action: string;
  outcome: string;
  actor_name: string;
  actor_id: string;
  resource: string;
  case_ref: string | null;
  reason: string | null;
  intact: boolean;
}

export interface Probe {
  probe_id: string;
  searcher_name: string;
  searcher_id: string;
  search_resource: string;
  case_ref: string | null;
  reason: string | null;
  searched_at_ms: number;
  due_ms: number;
  status: string;
  verdict: string | null;
}

export interface WatchlistEntry {
  entry_id: string;
  plate: string;
  category: string;
  priority: string;
  reason: string;
  owning_unit: string;
  zones: string[];
  expires: string;
  handling_instructions: string;
}
