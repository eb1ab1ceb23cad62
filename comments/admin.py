from django.contrib import admin

from .models import ArticleComment

# xtd registers its own admin for its model; ours replaces it for the model we use.
if admin.site.is_registered(ArticleComment):
    admin.site.unregister(ArticleComment)


@admin.register(ArticleComment)
class ArticleCommentAdmin(admin.ModelAdmin):
    list_display = ["user_name", "submit_date", "is_public", "is_removed"]
