"""Pages of 劳务协作."""
from django.urls import path

from . import views

urlpatterns = [
    path("labour/", views.worker_list, name="labour-worker-list"),
    path("labour/workers/new/", views.worker_create, name="labour-worker-create"),
    path("labour/workers/duplicates/", views.worker_duplicates, name="labour-worker-duplicates"),
    path("labour/workers/<int:pk>/", views.worker_detail, name="labour-worker-detail"),
    path("labour/workers/<int:pk>/refer/", views.worker_refer, name="labour-worker-refer"),
    path("labour/workers/<int:worker_pk>/place/", views.placement_create, name="labour-placement-create"),
    path("labour/referrals/<int:pk>/outcome/", views.referral_outcome, name="labour-referral-outcome"),
    path("labour/jobs/", views.job_list, name="labour-job-list"),
    path("labour/jobs/new/", views.job_create, name="labour-job-create"),
    path("labour/jobs/<int:pk>/", views.job_detail, name="labour-job-detail"),
    path("labour/trainings/", views.training_list, name="labour-training-list"),
    path("labour/trainings/new/", views.training_create, name="labour-training-create"),
    path("labour/placements/", views.placement_list, name="labour-placement-list"),
    path("labour/placements/<int:pk>/", views.placement_detail, name="labour-placement-detail"),
    path("labour/placements/<int:pk>/check/", views.check_create, name="labour-check-create"),
    path("labour/placements/<int:pk>/pay/", views.subsidy_pay, name="labour-subsidy-pay"),
    path("labour/checks/", views.check_list, name="labour-check-list"),
    path("labour/payments/", views.payment_list, name="labour-payment-list"),
]
