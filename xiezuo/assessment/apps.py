from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "xiezuo.assessment"
    label = "assessment"
    verbose_name = "考核评价"

    def ready(self):
        # Orders, warnings, proposals and tickets join rhythm's one list of what a post must do.
        from .items import register

        register()

        # New facts (reports, postings, dispatches, region facts, agreements) flag the scores
        # they feed, so the scheduled recompute_stale picks them up.
        from xiezuo.core.facts import facts_changed

        from .compute import on_facts_changed

        facts_changed.connect(on_facts_changed, dispatch_uid="assessment-mark-stale")
