"""Real-time watchlist alerts: watchlists, matching in the ingest path, alerts, delivery.

Modules: ``models`` (entries, matches, alerts), ``watchlist`` (entry storage + version stamp),
``matcher`` (in-container index and cache), ``store`` (alert storage, dedupe pointer),
``publisher`` (SNS message, push payloads), ``service`` (ingest hook, re-sender, patrol desk),
``watchlist_service`` (CRUD, CSV import, audit), ``feed`` (reading zone queues).
See docs/alerts.md.
"""
