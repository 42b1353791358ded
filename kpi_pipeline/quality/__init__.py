"""Data quality: Great Expectations suites (`suites.py`) run on the warehouse by a small runner
(`gx_runner.py`) inside Dagster asset checks (`checks.py`). See docs/quality.md."""
