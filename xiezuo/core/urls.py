"""The audit log's page."""
from django.urls import path

from xiezuo.web.views import audit

urlpatterns = [
    path("audit/", audit.audit_list, name="audit-list"),
]
