from django.urls import path

from . import views

urlpatterns = [
    path("exports/", views.job_list, name="export-jobs"),
    path("exports/<int:pk>/", views.job_detail, name="export-job"),
    path("exports/<int:pk>/download/", views.job_download, name="export-job-download"),
]
