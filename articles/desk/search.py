"""The story list's search box: the site's own full-text index (articles/search.py), weighted and ranked, over every
story the list shows (drafts included), instead of the stock admin's icontains scan of each story's body."""

from django.contrib.admin.views.main import ORDER_VAR

from .. import search


class FullTextSearch:
    """Mixed into ArticleAdmin. Its `search_fields` only switch the search box on: the index decides what matches."""

    def get_search_results(self, request, queryset, search_term):
        text = search_term.strip()[: search.MAX_QUERY_LENGTH]
        if not text:
            return queryset, False
        matches = search.articles_ranked(queryset, text)
        if ORDER_VAR not in request.GET:  # best match first, unless the editor sorted by a column
            matches = matches.order_by("-rank", "-pk")
        return matches, False
