"""Retrospective search jobs: trajectory, partial plate, place-and-time, seen-at-A-and-B, convoy.

Layout (one module per concept):
- ``models``     the queries, the job, a sighting, the result
- ``plan``       a query → bounded Map items (time slices × write shards, or camera windows)
- ``source``     where a partition's reads come from (DynamoDB, in-memory)
- ``partition``  one Map item → the sightings it contributes
- ``merge``      all sightings → ranked items (per search type)
- ``exports``    CSV / GeoJSON / KML; ``maps``: offline PNG and HTML (inline SVG)
- ``repository`` job state (Searches table); ``results``: result files (SearchResults bucket)
- ``service``    the API side (submit, status, results, cancel) with justification + audit
- ``workflow``   the Step Functions task steps (validate, plan, query, merge, export, finish, fail)
"""
