"""Camera simulator: a Brussels-like ANPR fleet, vehicles driving plausible routes past it, and
their snapshots uploaded to the snapshots bucket with capture metadata — with ground truth.

    from local.simulator import simulate
    truth = simulate(seed=7, n_snapshots=500, s3_client=s3, bucket="...", rate_per_s=10)

CLI: ``python -m local.simulator --endpoint http://127.0.0.1:PORT --bucket B --snapshots 500``.
"""

from local.simulator.fleet import Convoy, Sighting, Traffic, Vehicle, generate_traffic, random_plate
from local.simulator.network import Link, RoadNetwork, road_class
from local.simulator.uploader import (
    BAD_INPUTS,
    DEFAULT_CAMERAS,
    BadInput,
    GroundTruth,
    Progress,
    Simulator,
    SimulatorConfig,
    UploadStats,
    describe,
    print_progress,
    simulate,
)

__all__ = [
    "BAD_INPUTS",
    "DEFAULT_CAMERAS",
    "BadInput",
    "Convoy",
    "GroundTruth",
    "Link",
    "Progress",
    "RoadNetwork",
    "Sighting",
    "Simulator",
    "SimulatorConfig",
    "Traffic",
    "UploadStats",
    "Vehicle",
    "describe",
    "generate_traffic",
    "print_progress",
    "random_plate",
    "road_class",
    "simulate",
]
