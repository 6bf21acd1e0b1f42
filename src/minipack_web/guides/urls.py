from django.urls import path

from minipack_web.guides import views

app_name = "guides"

urlpatterns = [
    path("", views.home, name="home"),
    path("guides/<slug:slug>/", views.guide, name="guide"),
    path("search/", views.search, name="search"),
    path("search/suggest", views.suggest, name="suggest"),
    path("faq/", views.faq, name="faq"),
    path("for-you/", views.for_you, name="for_you"),
]
