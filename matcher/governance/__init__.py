"""Governance: `retention` applies the retention periods, `register` writes the Algoritmeregister entry.
(The audit trail itself is written by `matcher.security` and read by the service.)

A caller of the service, like the nightly job: may import the service, the stages and the domain.
"""
