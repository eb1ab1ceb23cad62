from django.urls import path

from .views import appeals, authoring, flagging, posting, reading, reports, subscriptions, updates

# Only the endpoints we serve: xtd's own URLs (its pickle-based confirmation, follower
# mails and a REST API that exposes who flagged a comment) are deliberately not included.
app_name = "comments"
urlpatterns = [
    path("post/", posting.post_comment, name="post"),
    path("confirm/<str:token>/", posting.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", subscriptions.unsubscribe, name="unsubscribe"),
    path("flag/<int:pk>/", flagging.flag, name="flag"),
    path("report-illegal/", reports.report_illegal, name="report_illegal"),
    path("appeal/<str:token>/", appeals.appeal, name="appeal"),
    path("<int:pk>/", reading.permalink, name="permalink"),
    path("reply/<int:pk>/", reading.reply, name="reply"),
    path("<int:pk>/edit/", authoring.edit, name="edit"),
    path("<int:pk>/delete/", authoring.delete, name="delete"),
    path("story/<int:pk>/count/", updates.story_count, name="story_count"),
]
