"""Ingest: bulk files parsed into validated items (`importers`), then prepared for storage (`prepare`):
free text normalised to vocabulary concepts, content hashed, vectors made only for new texts.

May import `matcher.matching` (vocabulary, encoder, texts), the domain types and `matcher.text`; never the
service, a job or an adapter.
"""
