"""Register zones and networks from the data files (local runtime, simulator, a new stage).

The local runtime's hook (one line): ``keys = seed(wiring.api_services().networks, SEED_CALLER,
zone_files, network_files)``; the simulator then uploads each network's cameras with
``keys[network_id]`` through ``POST /uploads``. Idempotent: a network already registered keeps
its key (``None`` in the result: its key was shown when it was registered).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from anpr.kernel.auth import Caller
from anpr.kernel.errors import NotFound
from anpr.networks.models import CameraIn, ImportRequest, NetworkIn
from anpr.networks.service import NetworkService

#: who the local runtime's seeding is recorded as in the audit trail
SEED_CALLER = Caller(user_id="local-seed", username="local-seed", groups=frozenset({"ops"}))
_CAMERA_FIELDS = set(CameraIn.model_fields)


def seed(
    networks: NetworkService, caller: Caller, zone_files: Iterable[Path], network_files: Iterable[Path]
) -> dict[str, str | None]:
    features = []
    for path in zone_files:
        features.extend(json.loads(Path(path).read_text())["features"])
    networks.load_zones(caller, {"type": "FeatureCollection", "features": features})
    keys: dict[str, str | None] = {}
    for path in network_files:
        doc = json.loads(Path(path).read_text())
        request = NetworkIn(**doc["network"])
        try:
            networks.get(request.network_id)
            keys[request.network_id] = None
        except NotFound:
            keys[request.network_id] = networks.register(caller, request)["upload_key"]
        content = json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {
                            k: v
                            for k, v in c.items()
                            if k in _CAMERA_FIELDS and k not in ("lat", "lon") and v is not None
                        },
                        "geometry": {"type": "Point", "coordinates": [c["lon"], c["lat"]]},
                    }
                    for c in doc.get("cameras", [])
                ],
            }
        )
        report = networks.import_cameras(
            caller, request.network_id, ImportRequest(format="geojson", content=content)
        )
        if report.rejected:
            bad = [f"line {ln.line}: {ln.reason}" for ln in report.lines if ln.outcome == "rejected"][:3]
            raise ValueError(f"{path}: {report.rejected} cameras rejected ({'; '.join(bad)})")
    return keys
