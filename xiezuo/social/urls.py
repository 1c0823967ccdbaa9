"""Pages of 社会帮扶."""
from django.urls import path  # noqa: F401

urlpatterns = []
