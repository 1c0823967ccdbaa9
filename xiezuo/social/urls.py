"""Pages of 社会帮扶."""
from django.urls import path

from . import views

urlpatterns = [
    path("social/", views.need_list, name="social-need-list"),
    path("social/new/", views.need_create, name="social-need-create"),
    path("social/<int:pk>/", views.need_detail, name="social-need-detail"),
    path("social/<int:pk>/review/", views.need_review, name="social-need-review"),
    path("social/<int:pk>/take/", views.need_take, name="social-need-take"),
    path("social/<int:pk>/pledge/", views.need_pledge, name="social-need-pledge"),
    path("social/<int:pk>/pledges/<int:pledge_pk>/pay/", views.pledge_pay, name="social-pledge-pay"),
    path("social/<int:pk>/result/", views.need_result, name="social-need-result"),
    path("social/<int:pk>/confirm/", views.need_confirm, name="social-need-confirm"),
    path("social/<int:pk>/project/", views.need_project, name="social-need-project"),
]
