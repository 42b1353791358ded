"""The shell on top: the `kpi-pipeline` command line, the embedded default's local services
and the preflight aggregator. It imports every layer below it and nothing imports it
(docs/ARCHITECTURE.md, "Layers")."""
