"""Pages of the funds (the ledger)."""
from django.urls import path

from . import views

urlpatterns = [
    path("funds/", views.ledger_index, name="ledger-index"),
    path("funds/postings/", views.ledger_postings, name="ledger-postings"),
    path("funds/postings/<int:pk>/", views.ledger_posting, name="ledger-posting"),
    path("funds/postings/<int:pk>/reverse/", views.ledger_reverse, name="ledger-reverse"),
    path("funds/accounts/<int:pk>/", views.ledger_account, name="ledger-account"),
    path("funds/allocate/", views.ledger_allocate, name="ledger-allocate"),
    path("funds/arrival/", views.ledger_arrival, name="ledger-arrival"),
    path("funds/disburse/", views.ledger_disburse, name="ledger-disburse"),
    path("funds/spend/", views.ledger_spend, name="ledger-spend"),
    path("funds/available.json", views.ledger_available, name="ledger-available"),
    path("funds/projects.json", views.ledger_project_search, name="ledger-project-search"),
]
