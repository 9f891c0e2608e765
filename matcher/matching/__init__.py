"""Matching: from stored rows to a ranked, explained list. In pipeline order: `vocabulary` (normalise),
`texts` + `embeddings` (embed), `feasibility`, `tables` + `features`, `scoring`, `explain`, `ranking`,
with `index` holding every candidate and vacancy in memory for the shortlist path.

May import only the domain and `matcher.db`, `matcher.geo`, `matcher.text`; knows nothing of HTTP,
outcomes or jobs.
"""
