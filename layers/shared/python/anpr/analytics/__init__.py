"""The analytics copy of the reads: Parquet on S3 (Athena on AWS, DuckDB locally) for long searches.

Layout (one module per concept; see docs/analytics.md):
- ``models``    the Parquet layout (``reads/day=YYYY-MM-DD/hour=HH/*.parquet``) and its columns
- ``sql``       one query definition per search type (same SQL text for DuckDB and Athena)
- ``engine``    which engine runs a search: ``choose_engine`` (pure)
- ``service``   a search query → tagged sightings from SQL → the search package's own ``merge``;
                ``AnalyticsRoute``: the search workflow's hook (one analytics Map item)
- ``feed``      the reads table's stream → rows → Firehose (AWS) or the writer (local)
- ``writer``    PlateRead batches → Parquet files, compaction, retention sweep
- ``stores``    where the files live (a local folder, or S3)
- ``adapters``  the query engines (DuckDB over a folder, Athena over the Glue table)
- ``settings``  environment-driven settings; ``wiring``: real adapters from settings

Domain code here knows nothing of Lambda; DuckDB and pyarrow are imported lazily (dev / local
runtime only: on AWS, Firehose writes the Parquet and Athena queries it).
"""
