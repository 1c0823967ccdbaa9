from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import summary


@login_required
def home(request):
    data = summary.home(request.user)
    return render(request, "web/home.html", data)
