from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "minipack_web.api"
    label = "api"
    verbose_name = "API"
