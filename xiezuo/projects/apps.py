from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "xiezuo.projects"
    label = "projects"
    verbose_name = "协作项目"
