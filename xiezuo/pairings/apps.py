from django.apps import AppConfig


class PairingsConfig(AppConfig):
    name = "xiezuo.pairings"
    label = "pairings"
    verbose_name = "结对关系"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import PairingImporter, AgreementImporter

        register_importers(PairingImporter(), AgreementImporter())

        from xiezuo.core.ui.parts import register_part

        from . import filtersets

        register_part("region-detail", "pairings", filtersets.touching)
        register_part("org-detail", "pairings", lambda user, org: filtersets.pairings(user, organisation=org))
