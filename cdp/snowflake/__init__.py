"""Snowflake helpers: connection settings shared with profiles.yml, the loader of raw feeds, the Python package
stage for the Snowpark models, and the local emulator `make test-snowflake` runs on."""
