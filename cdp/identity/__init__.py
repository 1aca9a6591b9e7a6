"""Identity resolution logic: matching, graph clustering and stable unified IDs (called by dbt Python models)."""
