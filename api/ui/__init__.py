"""The Dutch web interface: server-rendered pages over the same service functions and role rules as the API.

Sign in with an API key (kept in an HttpOnly, SameSite=Strict cookie); every form carries a CSRF token.
No JavaScript is needed: filters are plain forms, explanations open with ``<details>``.
"""
