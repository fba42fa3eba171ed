"""A signed-in reader's saved searches, their alerts by e-mail, and their recent search history (issue 19).

models.py     the tables (migration 0015)
service.py    saving, listing, deleting, choosing an alert; the history and how long it is kept
alerts.py     the alert job: each due saved search run again for its reader, new records mailed, unsubscribe
views.py      the pages, and the one-click unsubscribe endpoint a mail links to

It imports the search service (the same search and permission filter as the pages), the mail sender, the
accounts and the audit log; nothing imports it but create_app, the personal-data export and deletion.
"""
