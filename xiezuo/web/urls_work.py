"""Pages for projects, people (dispatch records) and funds (the ledger)."""
from django.urls import path

from .views import ledger, people, projects

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
    path("people/", people.dispatch_list, name="dispatch-list"),
    path("people/new/", people.dispatch_create, name="dispatch-create"),
    path("people/<int:pk>/", people.dispatch_detail, name="dispatch-detail"),
    path("people/<int:pk>/edit/", people.dispatch_edit, name="dispatch-edit"),
    path("funds/", ledger.ledger_index, name="ledger-index"),
    path("funds/postings/", ledger.ledger_postings, name="ledger-postings"),
    path("funds/postings/<int:pk>/", ledger.ledger_posting, name="ledger-posting"),
    path("funds/postings/<int:pk>/reverse/", ledger.ledger_reverse, name="ledger-reverse"),
    path("funds/accounts/<int:pk>/", ledger.ledger_account, name="ledger-account"),
    path("funds/allocate/", ledger.ledger_allocate, name="ledger-allocate"),
    path("funds/arrival/", ledger.ledger_arrival, name="ledger-arrival"),
    path("funds/disburse/", ledger.ledger_disburse, name="ledger-disburse"),
    path("funds/spend/", ledger.ledger_spend, name="ledger-spend"),
]
