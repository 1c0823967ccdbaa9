from django.apps import AppConfig


class LabourConfig(AppConfig):
    """Labour cooperation: workers, jobs, order-based training, matching, placements, retention checks and subsidies."""

    name = "xiezuo.labour"
    label = "labour"
    verbose_name = "劳务协作"

    def ready(self):
        from xiezuo.core.importing import register_importers
        from xiezuo.core.ui.parts import register_part

        from .household import household_labour
        from .importers import CheckImporter, JobImporter, PlacementImporter, TrainingImporter, WorkerImporter

        register_importers(WorkerImporter(), JobImporter(), TrainingImporter(), PlacementImporter(), CheckImporter())
        register_part("household", "labour", household_labour)
