"""The workflow chart's page in a real browser, at 1366 and 360 px: the drawing is on screen with no
label box over a state box (measured where the browser put them), the page does not overflow (the
drawing scrolls inside its frame), and axe-core finds nothing serious."""

import pytest

from bangban.network.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"

BOXES = """() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
  const rects = [...document.querySelectorAll('#chart svg rect')];
  return {
    states: rects.filter((e) => e.getAttribute('stroke-width') === '1.8').map(box),
    labels: rects.filter((e) => e.getAttribute('stroke') === '#d0d7e2').map(box),
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


def overlaps(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


@pytest.mark.parametrize("width", [1366, 360])
def test_the_chart_is_drawn_without_overlaps(
    page, live_server, yiyuan_committed, make_account, axe, shots, width
):
    user = make_account(Role.HELPER, yiyuan_committed.station("鲁村镇"), password=PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/cases/workflow/")
    chart = page.get_by_role("img", name="帮办代办工作流程图（内容见下方表格）")
    assert chart.is_visible()
    found = page.evaluate(BOXES)
    assert len(found["states"]) == 7 and len(found["labels"]) >= 10
    for label in found["labels"]:
        assert not any(overlaps(label, state) for state in found["states"]), label
    assert found["overflow"] <= 0
    assert axe(page) == []
    if shots:
        page.screenshot(path=str(shots / f"workflow-{width}.png"), full_page=True)
