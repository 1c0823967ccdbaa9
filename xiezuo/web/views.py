"""The pages that span apps (the home page); each app's own pages live in its views.py."""
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from . import summary


@login_required
def home(request):
    if request.GET.get("part") == "map":  # the whole map, fetched when it is zoomed in
        return JsonResponse(summary.map_data(request.user, timezone.localdate()))
    data = summary.home(request.user)
    data["map"] = summary.map_at_first(data["map"], reverse("home") + "?part=map")
    return render(request, "web/home.html", data)
