"""One module per source system; each writes its raw tables and registers its person-bearing records."""
