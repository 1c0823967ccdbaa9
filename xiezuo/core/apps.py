from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xiezuo.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from . import audit  # noqa: F401  (connects the audit signal handlers)
        from . import sums

        sums.install()  # SQLite sums that cannot overflow
        from django.core import checks

        checks.register(_pii_keys_set, checks.Tags.security, deploy=True)


def _pii_keys_set(app_configs, **kwargs):
    from django.core import checks

    from .personal.crypto import keys_configured

    if keys_configured():
        return []
    return [checks.Warning("XIEZUO_PII_KEYS is not set: personal data is encrypted with a key derived from SECRET_KEY",
                           hint="manage.py pii keygen, then set XIEZUO_PII_KEYS (and XIEZUO_PII_HASH_KEY) in the environment",
                           id="xiezuo.W001")]
