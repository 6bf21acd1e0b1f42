from django.urls import path

from minipack_web.catalog import views

app_name = "catalog"

urlpatterns = [
    path("bags/<slug:slug>/", views.bag, name="bag"),
    path("table/", views.table, name="table"),
    path("compare/", views.compare, name="compare"),
    path("fit/", views.fit, name="fit"),
    # Under MEDIA_URL ('/media/'); only a variant's name (hash-width.ext) is ever looked up.
    path("media/bag-photos/<str:name>", views.photo_file, name="photo_file"),
]
