"""Pages of dispatched cadres and professionals."""
from django.urls import path

from xiezuo.web.views import people

urlpatterns = [
    path("people/", people.dispatch_list, name="dispatch-list"),
    path("people/new/", people.dispatch_create, name="dispatch-create"),
    path("people/<int:pk>/", people.dispatch_detail, name="dispatch-detail"),
    path("people/<int:pk>/edit/", people.dispatch_edit, name="dispatch-edit"),
]
