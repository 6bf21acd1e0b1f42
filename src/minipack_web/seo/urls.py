from django.urls import path

from minipack_web.seo import views

app_name = "seo"

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("feeds/guides.atom", views.guides_feed, name="guides_feed"),
]
