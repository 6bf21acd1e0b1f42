from django.urls import path

from minipack_web.community import views

app_name = "community"

urlpatterns = [
    path("", views.post, name="post"),
    path("<int:comment_id>/reply/", views.reply, name="reply"),
    path("posted/<str:token>/", views.posted, name="posted"),
]
