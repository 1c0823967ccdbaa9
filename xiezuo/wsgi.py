import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
application = get_wsgi_application()

if os.environ.get("XIEZUO_WARM_UP", "1") != "0":  # each web process builds its dashboard sums at start
    from xiezuo.live.figures import warm_up_in_background

    warm_up_in_background()
