"""Pages of 结对优化."""
from django.urls import path  # noqa: F401

urlpatterns = []
