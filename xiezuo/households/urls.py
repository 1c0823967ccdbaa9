"""Pages of 防返贫监测."""
from django.urls import path  # noqa: F401

urlpatterns = []
