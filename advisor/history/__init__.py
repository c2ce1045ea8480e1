"""Your whole history: one search over sessions, the journal, beliefs, notes and cards, and full
backups (export, import, merge).

It combines the journal, the session store and the knowledge base, so it sits above all three
(the layer contract in pyproject.toml: journal < knowledge < session < history < cli/tui) and,
like them, imports neither Textual nor the CLI. Its search index is derived data: it is brought
up to date from the stores before every search and can be deleted at any time.
"""
