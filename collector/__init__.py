"""The feedback collector: an optional service beside the static help center.

It stores the readers' "Was this page helpful?" votes and the searches that found nothing, in
SQLite (default) or PostgreSQL, answers the public counts the pages show, and gives the support
team a report behind a token. Modules: `schema` (what is accepted), `database` (storage and
migrations), `ratelimit`, `report`, `app` (HTTP), `__main__` (command line: serve, export,
migrate). It knows nothing of mkdocs; the site reads only its counts export.
"""
