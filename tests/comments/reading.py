"""What a comment test reads back: the comment saved with a text, and whether a response is the "held" page."""

from comments.models import ArticleComment


def posted(text):
    return ArticleComment.objects.get(comment=text)


def held_page(response):
    return response.status_code == 200 and "awaiting moderation" in response.content.decode()
