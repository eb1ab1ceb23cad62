"""Bringing stories in from other outlets' feeds: safe fetching, reading entries, importing, its admin."""
