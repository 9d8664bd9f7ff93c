"""pytest from the project root (``pytest .``): the report's ``book/`` holds executed notebooks,
pages rather than tests, which ``--nbval`` would otherwise collect. Ignored here by path, so
that the tests' own ``book`` folders (tests/book/, tests/study/book/) are still collected."""

collect_ignore = ["book"]
