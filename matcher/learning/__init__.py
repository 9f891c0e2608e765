"""Learning from what happened: `outcomes` records events against shown matches, `labels` reads them,
`training` fits and compares a challenger, `registry` keeps every version, `report` + `charts` show how
matching is doing, `distill` teaches an encoder Dutch.

May import `matcher.matching` (features, scoring, encoder) and the domain; never the service or a job.
"""
