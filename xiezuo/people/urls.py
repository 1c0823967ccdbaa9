"""Pages of dispatched cadres and professionals."""
from django.urls import path

from . import views

urlpatterns = [
    path("people/", views.dispatch_list, name="dispatch-list"),
    path("people/new/", views.dispatch_create, name="dispatch-create"),
    path("people/<int:pk>/", views.dispatch_detail, name="dispatch-detail"),
    path("people/<int:pk>/edit/", views.dispatch_edit, name="dispatch-edit"),
]
