"""makemessages that also collects `_l(...)`, our alias for gettext_lazy in modules that use both."""
from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = makemessages.Command.xgettext_options + ["--keyword=_l"]
