from django.urls import path

from .views import privacy

app_name = "privacy"
urlpatterns = [
    path("", privacy.privacy, name="page"),
    path("confirm/<str:token>/", privacy.confirm, name="confirm"),
]
