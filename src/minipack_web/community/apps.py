from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "minipack_web.community"
    label = "community"
    verbose_name = "Community"
