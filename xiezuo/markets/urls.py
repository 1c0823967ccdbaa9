"""Pages of 要素市场."""
from django.urls import path  # noqa: F401

urlpatterns = []
