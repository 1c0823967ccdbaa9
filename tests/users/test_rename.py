"""The app that holds profiles was renamed from `accounts` to `users` (an account is a ledger
account): a database migrated under the old name keeps its users' profiles and tokens."""
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from xiezuo.users.models import ApiToken, Profile

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="renames tables inside the test's transaction (SQLite's schema editor refuses that)"),
]


def test_a_database_migrated_as_accounts_keeps_its_profiles_and_tokens(users):
    ApiToken.issue(users["west_office"])
    profiles = dict(Profile.objects.values_list("user__username", "role"))
    with connection.cursor() as cursor:  # the database as the old app left it
        cursor.execute("ALTER TABLE users_profile RENAME TO accounts_profile")
        cursor.execute("ALTER TABLE users_apitoken RENAME TO accounts_apitoken")
        cursor.execute("UPDATE django_content_type SET app_label = 'accounts' WHERE app_label = 'users'")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'users'")
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('accounts', '0001_initial', now())")
    migration = import_module("xiezuo.users.migrations.0001_initial")
    with connection.schema_editor() as editor:
        migration._create_or_adopt(apps, editor)
    tables = set(connection.introspection.table_names())
    assert {"users_profile", "users_apitoken"} <= tables and not {"accounts_profile", "accounts_apitoken"} & tables
    assert dict(Profile.objects.values_list("user__username", "role")) == profiles
    assert ApiToken.objects.filter(user=users["west_office"]).count() == 1
    ContentType.objects.clear_cache()
    assert set(ContentType.objects.filter(model__in=("profile", "apitoken")).values_list("app_label", flat=True)) == {"users"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'accounts'")
        assert cursor.fetchone()[0] == 0
