"""API tokens: issuing one is an audited change that never shows the token's hash."""
import pytest

from xiezuo.core.models import AuditEntry
from xiezuo.users.models import ApiToken

pytestmark = pytest.mark.django_db


def test_issuing_a_token_is_audited_without_its_hash_and_its_use_is_not(users):
    raw = ApiToken.issue(users["county_office"])
    entry = AuditEntry.objects.get(object_type="users.apitoken", action="create")
    token = ApiToken.objects.get()
    assert entry.object_id == str(token.pk) and entry.region_code == "513436"
    assert "key_hash" not in entry.after and token.key_hash not in str(entry.after) and raw not in str(entry.after)
    assert entry.after["prefix"] == raw[:8] and raw[:8] in entry.object_repr
    assert ApiToken.authenticate(raw) == users["county_office"]
    assert AuditEntry.objects.filter(object_type="users.apitoken").count() == 1  # its use is not a change
