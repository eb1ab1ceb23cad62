"""Sending stories out: SEO policy, feeds, sitemaps, structured data, image renditions."""
