"""Pages of 劳务协作."""
from django.urls import path  # noqa: F401

urlpatterns = []
