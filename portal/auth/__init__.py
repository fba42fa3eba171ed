"""Who is signed in: local reader accounts, OpenID Connect sign-in for officials, sessions.

May import `schema`, `portal.access` and `portal.database`; the rest of the portal asks
`portal.access.identity.current_identity()`, never this package, who the request acts as.
"""
