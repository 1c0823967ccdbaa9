import importlib.util

from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.views.generic import RedirectView
from django.urls import include, path

from .views import agreements, audit, home, orgs, pairings, regions

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("regions/", regions.region_list, name="region-list"),
    path("regions/suggest/", regions.region_suggest, name="region-suggest"),
    path("regions/<str:code>/", regions.region_detail, name="region-detail"),
    path("regions/<str:code>/children/", regions.region_children, name="region-children"),
    path("regions/<str:code>/facts/", regions.region_facts, name="region-facts"),
    path("regions/<str:code>/key-assistance/", regions.region_key_assistance, name="region-key-assistance"),
    path("pairings/", pairings.pairing_list, name="pairing-list"),
    path("pairings/new/", pairings.pairing_create, name="pairing-create"),
    path("pairings/<int:pk>/", pairings.pairing_detail, name="pairing-detail"),
    path("pairings/<int:pk>/adjust/", pairings.pairing_adjust, name="pairing-adjust"),
    path("pairings/<int:pk>/end/", pairings.pairing_end, name="pairing-end"),
    path("agreements/", agreements.agreement_list, name="agreement-list"),
    path("agreements/new/", agreements.agreement_create, name="agreement-create"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", agreements.agreement_edit, name="agreement-edit"),
    path("orgs/", orgs.org_list, name="org-list"),
    path("orgs/new/", orgs.org_create, name="org-create"),
    path("orgs/<int:pk>/", orgs.org_detail, name="org-detail"),
    path("orgs/<int:pk>/edit/", orgs.org_edit, name="org-edit"),
    path("audit/", audit.audit_list, name="audit-list"),
    # Projects, people and ledger pages; assessment, consequences and the work rhythm.
    path("", include("xiezuo.web.urls_work")),
    path("", include("xiezuo.assessment.urls")),
    path("", include("xiezuo.assessment.urls_loop")),
    path("", include("xiezuo.rhythm.urls")),
]

# The Excel import pages live in their own module (written separately); until it exists
# the rest of the site must still load. Only a missing module is tolerated: an error
# inside it still surfaces.
if importlib.util.find_spec("xiezuo.web.import_urls") is not None:
    urlpatterns.append(path("", include("xiezuo.web.import_urls")))
