from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "minipack_web.guides"
    label = "guides"
    verbose_name = "Guides"
