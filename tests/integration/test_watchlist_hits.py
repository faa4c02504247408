"""Hit counts per watchlist entry: each exact-match alert raised counts once for its entry (a
counter item in the Alerts table, written where the alert is created), shown in the listing
beside the misread count; look-alike matches are not hits."""

import os

from anpr.alerts.settings import AlertMatchSettings
from anpr.alerts.wiring import alert_service, settings_from
from anpr.kernel.clock import fixed

from tests.builders.alerts import read
from tests.helpers import NOW_MS
from tests.integration.test_alerts_api import ZONE, api, call, entry_body  # noqa: F401


def test_the_listing_counts_each_entrys_exact_hits(aws, api, function_env):  # noqa: F811
    # GIVEN two entries, and reads: the first plate at two cameras an hour apart (two alerts once
    # the dedupe window has passed), a look-alike of it, and a retried read (same alert)
    _, first = call(api, "POST", "/watchlist", body=entry_body(plate="1ABC234"))
    _, second = call(api, "POST", "/watchlist", body=entry_body(plate="2XYZ987"))
    function_env("Ingest")
    settings = settings_from(AlertMatchSettings, os.environ)
    hook = alert_service(settings, clock=fixed(NOW_MS))
    hook.on_reads([read("1ABC234", read_id="r-1", zone=ZONE, capture_ms=NOW_MS - 7_200_000)])
    hook.on_reads([read("1ABC234", read_id="r-1", zone=ZONE, capture_ms=NOW_MS - 7_200_000)])
    hook.on_reads([read("1A8C234", read_id="r-2", zone=ZONE, capture_ms=NOW_MS - 3_000_000)])
    later = alert_service(settings, clock=fixed(NOW_MS + 3_600_000))
    later.on_reads([read("1ABC234", read_id="r-3", zone=ZONE, capture_ms=NOW_MS + 3_500_000)])
    # WHEN the manager lists the watchlist
    status, listing = call(api, "GET", "/watchlist")
    # THEN the first entry has its exact hits, the second none
    assert status == 200
    hits = {e["entry_id"]: e["hit_count"] for e in listing["entries"]}
    assert hits == {first["entry_id"]: 2, second["entry_id"]: 0}
