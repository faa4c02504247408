"""One construct per concern (:class:`Concern`, built by the generic ``infra/builders`` from
each concern's spec part) plus the cross-cutting ones (keys, API and auth, monitoring, web,
analytics); :class:`infra.stack.AnprStack` composes them.

Construct paths follow the package tree: ``Ingest/Tables/Reads``, ``Ingest/Queues/IngestDlq``,
``Ingest/Functions/Ingest/Handler``, ``Search/StateMachines/Search``...; :class:`Registry`
maps a spec entry to the CloudFormation logical id it became
(``tests/infra/test_template_matches_spec.py``).
"""
