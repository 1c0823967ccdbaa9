"""Pages of 消费帮扶."""
from django.urls import path

from . import views

urlpatterns = [
    path("consumption/", views.purchase_list, name="consumption-purchase-list"),
    path("consumption/purchases/new/", views.purchase_create, name="consumption-purchase-create"),
    path("consumption/products/", views.product_list, name="consumption-product-list"),
    path("consumption/products/new/", views.product_create, name="consumption-product-create"),
    path("consumption/products/<int:pk>/", views.product_detail, name="consumption-product-detail"),
    path("consumption/products/<int:pk>/apply/", views.product_apply, name="consumption-product-apply"),
    path("consumption/products/<int:pk>/certificates/<int:cert_pk>/decide/", views.certificate_decide,
         name="consumption-certificate-decide"),
    path("consumption/products/<int:pk>/certificates/<int:cert_pk>/revoke/", views.certificate_revoke,
         name="consumption-certificate-revoke"),
    path("consumption/buyers/", views.buyer_list, name="consumption-buyer-list"),
    path("consumption/buyers/new/", views.buyer_create, name="consumption-buyer-create"),
    path("consumption/shares/new/", views.share_create, name="consumption-share-create"),
]
