"""makemessages that also collects `_l(...)` (our alias for gettext_lazy) and never guesses."""
from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = makemessages.Command.xgettext_options + ["--keyword=_l"]
    # A guessed ("fuzzy") translation is not compiled and hides that a string needs one.
    msgmerge_options = makemessages.Command.msgmerge_options + ["--no-fuzzy-matching"]
