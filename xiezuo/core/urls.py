"""The audit log's page."""
from django.urls import include, path

from . import views

urlpatterns = [
    path("audit/", views.audit_list, name="audit-list"),
    path("", include("xiezuo.core.exportjobs.urls")),
]
