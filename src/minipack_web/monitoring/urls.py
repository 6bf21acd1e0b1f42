from django.urls import path

from minipack_web.monitoring import views

app_name = "monitoring"

urlpatterns = [
    # Exempt from the HTTPS redirect (settings/prod.py, SECURE_REDIRECT_EXEMPT): a load balancer probes over HTTP.
    path("healthz", views.healthz, name="healthz"),
]
