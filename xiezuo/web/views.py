"""The pages that span apps (the home page); each app's own pages live in its views.py."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import summary


@login_required
def home(request):
    data = summary.home(request.user)
    return render(request, "web/home.html", data)
