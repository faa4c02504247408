"""`make bench` reporting: goals print met or MISSED, one broken module does not hide the others."""

from __future__ import annotations

import textwrap

from bench import run as bench_run
from bench.machine import goal, machine_line, print_table, verdicts, vs


def test_a_figure_over_its_goal_is_flagged_missed(capsys):
    # GIVEN an upload→alert p95 of 2.461 s against a goal of at most 2 s, and one under it
    rows = [
        {"name": "upload→alert p95", "value": 2.461, "unit": "s", **goal(2.461, 2.0, "s")},
        {"name": "upload→read p95", "value": 0.8, "unit": "s", **goal(0.8, 2.0, "s")},
    ]

    # WHEN the table is printed
    print_table("pipeline", rows)

    # THEN the miss is on the figure's line, the header tallies it and names the machine
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "upload→alert" in ln)
    assert "2.461" in line and "≤ 2 s" in line and "MISSED" in line
    assert "MISSED" not in next(ln for ln in out.splitlines() if "upload→read" in ln)
    assert "goals: 1 met, 1 MISSED" in out
    assert f"machine: {machine_line()}" in out
    assert verdicts(rows) == (1, 1)


def test_goals_at_least_and_without_data():
    # GIVEN a throughput goal (at least) and a figure that was not measured
    # WHEN they are checked
    # THEN below the floor misses, and no data never counts as met
    assert goal(90, 100, "snapshots/s", at_most=False)["met"] == "MISSED"
    assert goal(120, 100, "snapshots/s", at_most=False) == {"goal": "≥ 100 snapshots/s", "met": "met"}
    assert goal(None, 2.0, "s")["met"].startswith("MISSED")


def test_a_lower_case_miss_from_a_bench_is_still_shown_as_missed(capsys):
    # GIVEN a bench that writes its own verdict in lower case (analytics_bench style)
    rows = [{"name": "cost", "value": 0.7, "unit": "USD", "goal": "≤ $0.50", "met": "missed"}]

    # WHEN printed
    print_table("analytics", rows)

    # THEN it reads MISSED and counts as a miss
    assert "| MISSED" in capsys.readouterr().out
    assert verdicts(rows) == (0, 1)


def test_ratio_against_a_baseline_of_the_same_run():
    # GIVEN a stage measured at 3 ms against a 1.5 ms baseline
    # WHEN compared
    # THEN the ratio names the baseline; a missing baseline says so
    assert vs(3.0, 1.5, "JPEG decode") == {"vs baseline": "2.00× JPEG decode"}
    assert vs(3.0, 0.0, "JPEG decode") == {"vs baseline": "n/a (JPEG decode)"}


def test_a_failing_or_hanging_module_is_reported_and_the_others_still_run(tmp_path, monkeypatch, capfd):
    # GIVEN three bench modules: one raises, one hangs, one works and misses its goal
    (tmp_path / "fake_broken_bench.py").write_text("def run():\n    raise RuntimeError('no moto today')\n")
    (tmp_path / "fake_slow_bench.py").write_text("import time\n\ndef run():\n    time.sleep(60)\n")
    (tmp_path / "fake_ok_bench.py").write_text(
        textwrap.dedent(
            """
            from bench.machine import goal

            def run():
                return [{"name": "upload→alert p95", "value": 2.461, "unit": "s", **goal(2.461, 2.0, "s")}]
            """
        )
    )
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}:{bench_run.__file__.rsplit('/bench/', 1)[0]}")

    # WHEN make bench runs them with a short limit per module
    rc = bench_run.main(["fake_broken_bench", "fake_slow_bench", "fake_ok_bench"], limit_s=8)

    # THEN the run fails, the summary names each outcome, and the working module's table is there
    captured = capfd.readouterr()
    out = captured.out
    summary = out.split("## bench summary", 1)[1]
    assert rc == 1
    assert "fake_broken_bench" in summary and "FAILED" in summary
    assert "RuntimeError: no moto today" in captured.err  # its traceback, for the reader
    assert "fake_slow_bench" in summary and "TIMED OUT after 8 s" in summary
    ok_line = next(ln for ln in summary.splitlines() if "fake_ok_bench" in ln)
    assert "goals 0 met, 1 MISSED" in ok_line and ok_line.rstrip().endswith("ok")


def test_ocr_bench_compares_ours_with_the_baseline_of_the_same_run():
    # GIVEN our scores and the baseline's on two sets, one scored for detection only
    from bench.ocr_bench import versus

    ours = [
        {"set": "openalpr_br", "exact_%": 90.0, "char_acc_%": 97.0, "det_recall_%": 95.0, "det_centre_%": 96.0,
         "median_ms": 20.0},
        {"set": "uc3m_scenes", "exact_%": None, "char_acc_%": None, "det_recall_%": 88.0, "det_centre_%": 90.0,
         "median_ms": 15.0},
    ]  # fmt: skip
    baseline = [
        {"set": "openalpr_br", "exact_%": 60.0, "char_acc_%": 80.5, "det_recall_%": None, "det_centre_%": 70.0,
         "median_ms": 80.0},
        {"set": "uc3m_scenes", "exact_%": None, "char_acc_%": None, "det_recall_%": None, "det_centre_%": 91.0,
         "median_ms": 30.0},
    ]  # fmt: skip

    # WHEN compared
    rows = versus(ours, baseline)

    # THEN each set shows the difference in points and the speed ratio, n/a where one is unscored
    assert rows == [
        ["openalpr_br", "+30.0", "+16.5", "n/a", "+26.0", "0.25×"],
        ["uc3m_scenes", "n/a", "n/a", "n/a", "-1.0", "0.50×"],
    ]
