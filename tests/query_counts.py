"""The query counts of public pages, each with the numbered list of its queries, pinned by the tests that render
those pages (tests/stories/, tests/comments/, tests/desk/). Change a number here, with its list, never per test."""

from django.contrib.contenttypes.models import ContentType

from articles.models import Article

# Queries for one story page, pinned by test_the_story_page_query_count_does_not_grow_with_authors_or_tags
# (tests/stories/test_article_views.py). The comments region ({% comment_region article %}) adds its own queries;
# update this number (and the list) when that changes, never per test.
#   1. the story, joined with its section and source
#   2. its authors (prefetch)
#   3. its tags (prefetch)
#   4. its corrections (prefetch; the corrections log and the NewsArticle structured data)
#   5. the navigation's sections (context processor)
#   6. related stories ({% related_articles %}, ArticleQuerySet.related_to)
#   + the comments region (comments.selectors.comment_page), whatever the number of comments:
#   7. published comments per thread (the count, and which threads each page of comments holds)
#   8. the comments in this page's threads (with who wrote them: staff, the story's experts, for badges)
#   9. the story's featured (editor's pick) published comments, for the "Featured" section
ARTICLE_PAGE_QUERIES = 9

# Queries for a list page (home, section, source, tag), whatever the number of stories:
#   1. the paginator's count
#   2. the navigation's sections (context processor)
#   3. the page of stories, joined with section and source
#   4. their authors (prefetch)
#   5. their published comment counts ({% with_comment_counts %}, comments.selectors.comment_counts)
HOME_PAGE_QUERIES = 5


def warm_process_caches():
    """What a running server has cached after its first request (the ContentType cache)."""
    ContentType.objects.get_for_model(Article)
