"""Pages of the funds (the ledger)."""
from django.urls import path

from xiezuo.web.views import ledger

urlpatterns = [
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
