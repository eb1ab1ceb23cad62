from django.urls import path

from .views import posting, subscriptions

# Only the endpoints we serve: xtd's own URLs (its pickle-based confirmation, follower
# mails and a REST API that exposes who flagged a comment) are deliberately not included.
app_name = "comments"
urlpatterns = [
    path("post/", posting.post_comment, name="post"),
    path("confirm/<str:token>/", posting.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", subscriptions.unsubscribe, name="unsubscribe"),
]
