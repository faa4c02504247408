"""The simulator's national fleet: cameras from the network files, keys per network."""

import pytest
from anpr.kernel.platform import ROOT

from local.simulator import Simulator, SimulatorConfig
from local.simulator.__main__ import main
from local.simulator.network_uploads import cameras_of_networks

NETWORK_FILES = sorted((ROOT / "data" / "networks").glob("*.json"))


def test_the_network_files_give_the_national_fleet_each_camera_with_its_network():
    cameras = cameras_of_networks(NETWORK_FILES)
    assert len(cameras) >= 2_000 and len({c.network for c in cameras}) >= 4
    assert all(c.network and c.zone for c in cameras)


def test_planned_keys_are_under_each_cameras_network_and_wrong_network_inputs_under_another():
    # GIVEN two networks' cameras
    cameras = [c for c in cameras_of_networks(NETWORK_FILES) if c.network in ("gent-lez", "antwerpen-lez")]
    sim = Simulator(
        None, "b", cameras, seed=2, config=SimulatorConfig(bad_fraction=0.1, bad_kinds=("wrong_network",))
    )
    # WHEN the uploads are planned
    truth, _ = sim.plan(60)
    network_of = {c.camera_id: c.network for c in cameras}
    # THEN good snapshots go under their camera's network, forced ones under the other network
    assert all(
        s.key.startswith(f"snapshots/{network_of[s.camera_id]}/{s.camera_id}/") for s in truth.sightings
    )
    assert truth.bad_inputs and all(
        b.key.split("/")[1] != network_of[b.camera_id] and b.expected_reason == "wrong_network"
        for b in truth.bad_inputs
    )


def test_the_cli_needs_an_api_and_keys_for_networks(capsys):
    with pytest.raises(SystemExit):
        main(["--bucket", "b", "--networks", str(NETWORK_FILES[0])])
    assert "--networks needs --api and --keys" in capsys.readouterr().err
