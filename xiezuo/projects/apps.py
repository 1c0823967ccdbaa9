from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "xiezuo.projects"
    label = "projects"
    verbose_name = "协作项目"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import ProjectImporter, MilestoneImporter, ProgressReportImporter

        register_importers(ProjectImporter(), MilestoneImporter(), ProgressReportImporter())
