from django.apps import AppConfig


class DatabaseConfig(AppConfig):
    name = "minipack_web.database"
    label = "database"
    verbose_name = "Database operations"
