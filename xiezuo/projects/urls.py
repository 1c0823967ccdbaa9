"""Pages of projects."""
from django.urls import path

from . import views

urlpatterns = [
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("projects/<int:pk>/status/", views.project_transition, name="project-transition"),
    path("projects/<int:pk>/milestones/", views.project_milestones, name="project-milestones"),
    path("projects/<int:pk>/milestones/<int:seq>/reached/", views.project_milestone_complete, name="project-milestone-complete"),
    path("projects/<int:pk>/report/", views.project_report, name="project-report"),
    path("projects/<int:pk>/attachments/<int:attachment_pk>/", views.project_attachment, name="project-attachment"),
    path("projects/<int:pk>/outputs/", views.project_output, name="project-output"),
    path("projects/<int:pk>/assets/", views.project_asset, name="project-asset"),
    path("projects/<int:pk>/partners/", views.project_partner, name="project-partner"),
]
