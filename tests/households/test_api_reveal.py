"""The API's reveal: `?reveal=1&purpose=…` on a household's detail and members endpoints gives
the full values to the roles that may see them (the county's editors and the offices above),
logged as a RevealLog like the page's "show full numbers"; every other role is refused, as is a
reveal without a purpose, and nothing is logged then."""
import json

import pytest

from xiezuo.core.models import RevealLog
from xiezuo.households import actions

from .helpers import household, line

# role → status of a reveal with a purpose (200: full values; 403: refused; 404: not visible)
EXPECTED = {"county_office": 200, "west_office": 200, "national": 403, "auditor": 403, "east_office": 404, "viewer": 403}


@pytest.fixture
def world(users):
    line()
    h = household(users["county_office"], members=2, bank_account="6217000011112222")
    m = h.members.first()
    m.health_note = "尿毒症透析"
    m.save()
    return h, list(h.members.order_by("id"))


def text_of(r):
    """The answer as text with its characters, not JSON escapes (so a Chinese secret is found)."""
    return json.dumps(r.json(), ensure_ascii=False)


def secrets(h, members):
    return [s for m in members for s in (m.id_number, m.phone)] + ["尿毒症透析", "6217000011112222", "洒库乡拉木村3组"]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_reveal_by_role(world, client_as, role):
    h, members = world
    client = client_as(role)
    for url in (f"/api/v1/households/{h.pk}", f"/api/v1/households/{h.pk}/members"):
        r = client.get(url, {"reveal": "1", "purpose": "核实医疗救助资格"})
        assert r.status_code == EXPECTED[role], (role, url, r.content)
        text = text_of(r)
        if r.status_code == 200:
            assert all(s in text for s in secrets(h, members) if url.endswith(str(h.pk)) or s not in ("6217000011112222", "洒库乡拉木村3组"))
        else:
            assert not any(s in text for s in secrets(h, members))
            assert r.json()["error"]["code"] in ("permission_denied", "not_found")
        # without reveal: masked for everyone who may read
        plain = client.get(url)
        plain = text_of(plain) if plain.status_code == 200 else plain.content.decode()
        assert not any(s in plain for s in secrets(h, members))
    logs = RevealLog.objects.filter(username=role)
    if EXPECTED[role] == 200:
        assert logs.count() == 2 and all(l.via == "api" and l.purpose == "核实医疗救助资格" and "id_number" in l.fields for l in logs)
        assert not any(members[0].id_number in (l.object_ids + l.fields + l.purpose) for l in logs)
    else:
        assert not logs.exists()


@pytest.mark.parametrize("role", ["county_office", "west_office"])
def test_a_reveal_without_a_purpose_is_refused(world, client_as, role, english):
    h, members = world
    r = client_as(role).get(f"/api/v1/households/{h.pk}", {"reveal": "1"})
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["code"] == "validation_error" and "purpose" in body["fields"]
    assert members[0].id_number not in text_of(r) and not RevealLog.objects.exists()


def test_the_revealed_detail_carries_the_members(world, client_as):
    h, members = world
    data = client_as("county_office").get(f"/api/v1/households/{h.pk}", {"reveal": "true", "purpose": "入户核查"}).json()
    assert data["revealed"] is True and data["bank_account"] == "6217000011112222" and data["address"] == "洒库乡拉木村3组"
    assert [m["id_number"] for m in data["members"]] == [m.id_number for m in members]
    masked = client_as("county_office").get(f"/api/v1/households/{h.pk}").json()
    assert masked["revealed"] is False and masked["members"] is None and masked["bank_account"] is None
    assert actions.find_person(members[0].id_number).pk == members[0].pk
