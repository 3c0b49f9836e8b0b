"""The workflow chart (附件2): the page and the SVG are drawn from `cases.workflow.TRANSITIONS`; every
transition shows in both, a new one would too, and the SVG is a well-formed SVG 1.1 document."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from bangban.cases import chart, workflow
from bangban.cases.workflow import Actor, State, Transition

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def user(helper):
    return helper


def svg_texts(content: bytes) -> list[str]:
    root = ET.fromstring(content)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg" and root.get("version") == "1.1"
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_every_transition_is_in_the_svg(client, user):
    client.force_login(user)
    response = client.get(reverse("cases:workflow_svg"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    texts = svg_texts(response.content)
    for transition in workflow.TRANSITIONS:
        assert str(transition.label) in texts, transition.action
        for actor in transition.actors:
            assert any(str(actor.label) in text for text in texts), (transition.action, actor)
    for state in State:
        assert str(state.label) in " ".join(texts)


def test_each_arrow_of_the_svg_is_a_state_change_of_the_table():
    drawn = {(a.source, a.target): [s.action for s in a.steps] for a in chart.build_chart().arrows}
    expected: dict[tuple[str, str], list[str]] = {}
    for t in workflow.TRANSITIONS:
        for source in State:
            if source in t.sources and t.target is not None and t.target != source:
                expected.setdefault((source.value, t.target.value), []).append(t.action)
    assert drawn == expected
    assert drawn[(State.REGISTERED.value, State.IN_PROGRESS.value)] == ["accept"]
    assert (State.IN_PROGRESS.value, State.IN_PROGRESS.value) not in drawn  # no loops


def test_actions_that_keep_the_state_are_listed_beside_the_chart():
    keeping = {row.action: row.sources for row in chart.build_chart().keeping}
    assert "progress" in keeping and "extend" in keeping and "transfer" in keeping
    assert keeping["extend"] == [str(State.IN_PROGRESS.label), str(State.SUSPENDED.label)]
    # A notice on a case already awaiting materials keeps it there.
    assert keeping["notice"] == [str(State.AWAITING_MATERIALS.label)]
    assert "accept" not in keeping


def test_the_page_shows_the_chart_and_the_table(client, user):
    client.force_login(user)
    response = client.get(reverse("cases:workflow"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "帮办代办工作流程图" in body
    assert 'src="/static/vendor/echarts/echarts.min.js"' in body
    assert reverse("cases:workflow_svg") in body
    for transition in workflow.TRANSITIONS:
        assert f'data-action="{transition.action}"' in body
        assert str(transition.label) in body
    assert "<caption" in body and 'scope="col"' in body


def test_the_echarts_option_links_every_state_change(client, user):
    client.force_login(user)
    body = client.get(reverse("cases:workflow")).content.decode()
    raw = body.split('<script id="chart-option" type="application/json">')[1].split("</script>")[0]
    option = json.loads(raw)
    series = option["series"][0]
    assert series["type"] == "graph"
    names = {node["name"] for node in series["data"]}
    assert {state.value for state in State} <= names
    links = {(link["source"], link["target"]) for link in series["links"]}
    assert {(a.source, a.target) for a in chart.build_chart().arrows} <= links
    complete = next(link for link in series["links"] if link["target"] == State.COMPLETED.value)
    assert "办结" in complete["label"]["formatter"]
    assert "承办服务点人员" in complete["label"]["formatter"]


def test_a_new_transition_shows_everywhere(client, user, monkeypatch):
    reopen = Transition(
        "reopen",
        "重新办理",
        frozenset({State.COMPLETED}),
        State.IN_PROGRESS,
        frozenset({Actor.SYSTEM}),
    )
    monkeypatch.setattr(workflow, "TRANSITIONS", (*workflow.TRANSITIONS, reopen))
    client.force_login(user)
    assert "重新办理" in svg_texts(client.get(reverse("cases:workflow_svg")).content)
    body = client.get(reverse("cases:workflow")).content.decode()
    assert 'data-action="reopen"' in body and "重新办理" in body
    arrows = {(a.source, a.target): a for a in chart.build_chart().arrows}
    assert arrows[(State.COMPLETED.value, State.IN_PROGRESS.value)].system_only


def test_a_removed_transition_disappears(client, user, monkeypatch):
    kept = tuple(t for t in workflow.TRANSITIONS if t.action != "withdraw")
    monkeypatch.setattr(workflow, "TRANSITIONS", kept)
    client.force_login(user)
    assert "撤回" not in svg_texts(client.get(reverse("cases:workflow_svg")).content)


def test_labels_do_not_cover_the_states():
    """The SVG's label boxes (white, thin border) keep clear of the state boxes."""
    root = ET.fromstring(chart.to_svg(chart.build_chart()))  # noqa: S314 - our own output
    rects = [
        tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
        for r in root.iter(f"{SVG}rect")
    ]
    states = [r for r in rects if r[2] == chart.BOX_W and r[3] == chart.BOX_H]
    labels = [
        r
        for r, element in zip(rects, root.iter(f"{SVG}rect"), strict=True)
        if element.get("stroke") == "#d0d7e2"
    ]
    assert len(states) == len(State) and labels
    for label in labels:
        assert not any(chart._overlaps(label, state, pad=0) for state in states)
    for i, a in enumerate(labels):
        assert not any(chart._overlaps(a, b, pad=0) for b in labels[i + 1 :])


def test_anyone_logged_in_may_see_it_and_no_one_else(client, user):
    assert client.get(reverse("cases:workflow")).status_code == 302
    assert client.get(reverse("cases:workflow_svg")).status_code == 302
    client.force_login(user)
    assert client.get(reverse("cases:workflow")).status_code == 200


def test_the_nav_links_to_it(client, user):
    client.force_login(user)
    body = client.get(reverse("cases:workflow")).content.decode()
    assert f'href="{reverse("cases:workflow")}">工作流程图</a>' in body
