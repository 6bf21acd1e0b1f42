from django.urls import path

from minipack_web.newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.signup, name="signup"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    # The RFC 8058 one-click address in every mail's List-Unsubscribe header.
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
