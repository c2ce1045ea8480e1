"""advisor: a terminal advisor for choosing a research direction or career in AI research and AI safety.

The domain packages (`advisor.journal`, `advisor.knowledge`, `advisor.session`) import neither
Textual nor the CLI; `advisor.cli` and `advisor.tui` are thin shells over them.
"""

__version__ = "0.1.0"
