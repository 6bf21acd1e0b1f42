from django.apps import AppConfig


class SeoConfig(AppConfig):
    name = "minipack_web.seo"
    label = "seo"
    verbose_name = "Search engines and feeds"
