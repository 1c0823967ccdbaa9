"""Pages of projects."""
from django.urls import path

from xiezuo.web.views import projects

urlpatterns = [
    path("projects/", projects.project_list, name="project-list"),
    path("projects/new/", projects.project_create, name="project-create"),
    path("projects/<int:pk>/", projects.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project-edit"),
    path("projects/<int:pk>/status/", projects.project_transition, name="project-transition"),
    path("projects/<int:pk>/milestones/", projects.project_milestones, name="project-milestones"),
    path("projects/<int:pk>/milestones/<int:seq>/reached/", projects.project_milestone_complete, name="project-milestone-complete"),
    path("projects/<int:pk>/report/", projects.project_report, name="project-report"),
    path("projects/<int:pk>/attachments/<int:attachment_pk>/", projects.project_attachment, name="project-attachment"),
    path("projects/<int:pk>/outputs/", projects.project_output, name="project-output"),
    path("projects/<int:pk>/assets/", projects.project_asset, name="project-asset"),
    path("projects/<int:pk>/partners/", projects.project_partner, name="project-partner"),
]
