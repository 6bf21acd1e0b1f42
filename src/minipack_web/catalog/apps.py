from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "minipack_web.catalog"
    label = "catalog"
    verbose_name = "Catalog"
