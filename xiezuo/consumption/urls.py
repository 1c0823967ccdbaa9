"""Pages of 消费帮扶."""
from django.urls import path  # noqa: F401

urlpatterns = []
