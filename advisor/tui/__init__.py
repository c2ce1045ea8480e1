"""The terminal UI: a Textual shell over the journal, knowledge and session cores.

`advisor` with no arguments calls `advisor.tui.launch.run_app(settings)`. Heavy cores
(knowledge base, session engine, models) are imported only in workers after the first paint.
"""
