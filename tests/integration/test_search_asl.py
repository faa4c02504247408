"""The search state machine definition: one ASL file, loadable, fully substituted, connected."""

import json

from anpr.kernel import platform as spec

from local.resources import render_definition

SM = next(sm for sm in spec.STATE_MACHINES if sm.id == "Search")


def _states(definition: dict, path: str = ""):
    for name, state in definition["States"].items():
        yield f"{path}{name}", name, state, definition
        if state["Type"] == "Map":
            yield from _states(state["ItemProcessor"], f"{path}{name}/")


def test_the_file_is_json_and_every_task_resource_is_a_substituted_placeholder():
    definition = json.loads(SM.definition_path.read_text())
    resources = {s["Resource"] for _, _, s, _ in _states(definition) if s["Type"] == "Task"}
    assert resources == {"${" + ph + "}" for ph in SM.function_substitutions}
    assert all(fid in {f.id for f in spec.FUNCTIONS} for fid in SM.function_substitutions.values())
    rendered = render_definition(SM, lambda fid: f"arn:aws:lambda:eu-west-1:123456789012:function:{fid}")
    assert "${" not in rendered and json.loads(rendered)["StartAt"] == "Validate"


def test_every_state_is_reachable_and_every_transition_exists():
    definition = json.loads(SM.definition_path.read_text())

    def check(d):
        targets = {d["StartAt"]}
        for state in d["States"].values():
            nexts = (
                [state.get("Next"), state.get("Default")]
                + [c["Next"] for c in state.get("Choices", [])]
                + [c["Next"] for c in state.get("Catch", [])]
            )
            targets |= {n for n in nexts if n}
            if state["Type"] == "Map":
                check(state["ItemProcessor"])
        assert targets <= set(d["States"]), targets - set(d["States"])
        reachable, todo = set(), [d["StartAt"]]
        while todo:
            name = todo.pop()
            if name in reachable:
                continue
            reachable.add(name)
            s = d["States"][name]
            todo += [n for n in [s.get("Next"), s.get("Default")] if n]
            todo += [c["Next"] for c in s.get("Choices", []) + s.get("Catch", [])]
        assert reachable == set(d["States"]), set(d["States"]) - reachable

    check(definition)


def test_state_names_are_unique_across_the_machine():
    names = [name for _, name, _, _ in _states(json.loads(SM.definition_path.read_text()))]
    assert len(names) == len(set(names))


def test_partition_tasks_retry_with_backoff_and_every_step_is_caught():
    definition = json.loads(SM.definition_path.read_text())
    for path, name, state, _ in _states(definition):
        if state["Type"] == "Task" and name.startswith("QueryPartition"):
            (retry,) = state["Retry"]
            assert (
                "StorageError" in retry["ErrorEquals"]
                and retry["BackoffRate"] > 1
                and retry["MaxAttempts"] >= 3
            )
        elif state["Type"] in ("Task", "Map") and name != "MarkFailed" and "/" not in path:
            assert state["Catch"][0]["Next"] == "MarkFailed", name


def test_moto_accepts_the_definition(aws):
    # GIVEN the provisioned test stack THEN the Search state machine was created from the file
    assert ("state_machine", "Search") in aws.arns
