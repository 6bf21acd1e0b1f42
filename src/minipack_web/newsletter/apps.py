from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "minipack_web.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"
