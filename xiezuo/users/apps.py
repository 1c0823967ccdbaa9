from django.apps import AppConfig


class UsersConfig(AppConfig):
    """User profiles (who acts for which organisation, in which role) and API tokens.

    Named `users`, not `accounts`: an account in this platform is a ledger account.
    """

    name = "xiezuo.users"
    label = "users"
    verbose_name = "用户与权限"

    def ready(self):
        from xiezuo.core.scoping import register_resolver

        from .scopes import resolve

        register_resolver(resolve)
