"""The nightly job: `rematch` scores everyone against everything and keeps the best K both ways;
`worklist` reads what is new since the previous run.

A caller of the service, like the API and the CLI: may import the service, the stages and the domain.
"""
