from django.urls import path

from minipack_web.catalog import views

app_name = "catalog"

urlpatterns = [
    path("bags/<slug:slug>/", views.bag, name="bag"),
    path("table/", views.table, name="table"),
    path("compare/", views.compare, name="compare"),
    path("healthz", views.healthz, name="healthz"),
]
