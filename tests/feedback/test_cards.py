"""Paper rating cards (纸质评价卡): entered with their scan by someone other than the helper rated,
who may act at the rated point; the card found by its number within the user's scope."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bangban.feedback.actions import FeedbackError, enter_card
from bangban.feedback.models import Channel, Rating
from bangban.network.models import Role
from tests.cases.conftest import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    register,
    station,
)
from tests.feedback.occasions import PDF, PNG, Api, add_occasion, card_of, occasion_of
from tests.pages import page_text as text

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(register):  # noqa: F811
    case = register()
    occasion_of(case)
    return case


@pytest.fixture
def colleague(make_helper, station):  # noqa: F811
    """Another helper of the same station: may enter the card."""
    return make_helper(station).user


def scan(name="card.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def form(occasion, level=2, reasons=("many-trips",), **extra):
    return {"occasion": occasion.pk, "level": level, "reasons": list(reasons), **extra}


def body(card, level=2, **extra):
    return {
        "card": card,
        "level": level,
        "reasons": ["many-trips"],
        "comment": "跑了两趟",
        "scan": {"filename": "评价卡.pdf", "content_base64": base64.b64encode(PDF).decode()},
        **extra,
    }


# --- The page -----------------------------------------------------------------------------------


def test_a_colleague_enters_the_card_with_its_scan_on_the_page(client, case, colleague):
    occasion = occasion_of(case)
    card = card_of(case)
    client.force_login(colleague)
    found = client.get("/feedback/cards/", {"card": card.lower()})
    assert found.status_code == 302 and found.url == f"/feedback/cards/{card}/"
    page = text(client.get(found.url))
    assert case.number in page and "态度不好" in page  # the county's reasons offered
    response = client.post(found.url, {**form(occasion), "comment": "跑了两趟", "scan": scan()})
    assert response.status_code == 302, text(response, 200)
    rating = Rating.objects.get(occasion=occasion)
    assert rating.channel == Channel.CARD
    assert rating.entered_by == colleague and rating.helper_id == occasion.helper_id
    assert rating.level == 2 and rating.reasons == ["many-trips"]
    assert rating.card_scan.name.startswith("rating-cards/") and rating.card_scan.read() == PNG
    assert rating.rectification is not None  # a bad review goes to be put right


def test_the_rated_helper_is_refused_on_the_form(client, case, helper):  # noqa: F811
    occasion = occasion_of(case)
    assert occasion.helper == helper
    client.force_login(helper)
    page = text(
        client.post(f"/feedback/cards/{card_of(case)}/", {**form(occasion), "scan": scan()})
    )
    assert "被评价的工作人员不能录入对自己的评价卡" in page
    assert not Rating.objects.exists()


def test_a_scan_that_is_not_what_its_name_says_is_refused(client, case, colleague):
    occasion = occasion_of(case)
    client.force_login(colleague)
    page = text(
        client.post(
            f"/feedback/cards/{card_of(case)}/",
            {**form(occasion), "scan": scan("card.png", b"not an image at all")},
        )
    )
    assert "扫描件内容与扩展名不符" in page
    page = text(
        client.post(
            f"/feedback/cards/{card_of(case)}/",
            {**form(occasion), "scan": scan("card.docx", PNG)},
        )
    )
    assert "PDF、JPG 或 PNG" in page
    assert not Rating.objects.exists()


def test_a_card_outside_the_scope_is_not_found(client, case, make_helper, yiyuan):  # noqa: F811
    card = card_of(case)
    elsewhere = make_helper(yiyuan.station("南麻街道")).user
    client.force_login(elsewhere)
    page = text(client.get("/feedback/cards/", {"card": card}))
    assert "没有找到这张评价卡" in page
    assert client.get(f"/feedback/cards/{card}/").status_code == 404
    assert client.post(f"/feedback/cards/{card}/", form(occasion_of(case))).status_code == 404
    api = Api(client, elsewhere)
    assert api.get(f"/rating-cards/{card}").status_code == 404
    assert api.post("/rating-cards", body(card)).status_code == 404
    assert not Rating.objects.exists()


# --- The occasion ---------------------------------------------------------------------------------


def test_the_card_is_for_the_latest_occasion_still_to_rate(case, colleague, helper, client):  # noqa: F811
    first = occasion_of(case)
    today = timezone.localdate()
    later = add_occasion(case, kind="handover", on=today, helper=helper)
    api = Api(client, colleague)
    looked = api.get(f"/rating-cards/{card_of(case)}").json()
    assert looked["default_occasion"] == later.pk
    assert [o["id"] for o in looked["occasions"]] == [later.pk, first.pk]
    assert all(o["ratable"] for o in looked["occasions"])
    rating = enter_card(
        case, occasion=None, level=5, scan=SimpleUploadedFile("c.pdf", PDF), by=colleague
    )
    assert rating.occasion == later
    looked = api.get(f"/rating-cards/{card_of(case)}").json()
    assert looked["default_occasion"] == first.pk
    assert looked["occasions"][0]["why_not"]  # rated already, said why


def test_an_occasion_out_of_its_window_is_refused(case, colleague):
    occasion = occasion_of(case)
    later = timezone.now() + dt.timedelta(days=20)
    with time_machine.travel(later, tick=False), pytest.raises(FeedbackError) as refused:
        enter_card(
            case, occasion=occasion, level=4, scan=SimpleUploadedFile("c.pdf", PDF), by=colleague
        )
    assert "评价已截止" in str(refused.value)
    assert not Rating.objects.exists()


# --- The API ----------------------------------------------------------------------------------


def test_the_api_enters_a_card_with_its_scan(client, case, colleague):
    occasion = occasion_of(case)
    response = Api(client, colleague).post("/rating-cards", body(card_of(case)))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["occasion"] == occasion.pk and answer["channel"] == "card"
    assert answer["reason_labels"] == ["多次跑腿"]
    rating = Rating.objects.get(pk=answer["id"])
    assert rating.card_scan.read() == PDF and rating.entered_by == colleague


def test_the_api_refuses_the_rated_helper_and_a_supervisor(
    client,
    case,
    helper,  # noqa: F811
    make_account,
    yiyuan,
):
    card = card_of(case)
    refused = Api(client, helper).post("/rating-cards", body(card))
    assert refused.status_code == 403, refused.content.decode()
    assert "被评价的工作人员" in refused.json()["detail"][0]["msg"]
    supervisor = make_account(Role.SUPERVISOR, yiyuan.county)
    assert Api(client, supervisor).post("/rating-cards", body(card)).status_code == 403
    assert not Rating.objects.exists()


def test_the_town_admin_may_enter_the_card(client, case, make_account, yiyuan):
    town_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    response = Api(client, town_admin).post(
        "/rating-cards", body(card_of(case), level=5, reasons=[])
    )
    assert response.status_code == 201, response.content


def test_the_api_names_a_bad_scan_and_a_wrong_reason(client, case, colleague):
    card = card_of(case)
    api = Api(client, colleague)
    bad = body(card)
    bad["scan"]["content_base64"] = base64.b64encode(b"hello").decode()
    response = api.post("/rating-cards", bad)
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "card_scan"]
    response = api.post("/rating-cards", body(card, level=5, reasons=["many-trips"]))
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "reasons"]
    assert not Rating.objects.exists()
