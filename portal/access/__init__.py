"""Who may see what: roles as data, the identity of the caller, and the one permission
policy that every search, count, facet, highlight and record fetch goes through (DESIGN §4);
and the access-request workflow that opens restricted records to a reader (DESIGN §5).

roles.py identity.py policy.py   permissions, the caller, the OpenSearch filter and its Python twin
models.py workflow.py            requests, comments, grants, notices; the state machine
due_dates.py grants.py           7 working days (Vietnamese holidays); grants read into the identity
notifications.py events.py       inbox and e-mail; the one door to the audit log
forms.py views.py clock.py       pages, `flask grants expire`, the clock tests can move
"""
