"""The stylesheet every screen shares (kept in Python so it ships inside the package).

Each screen's own rules are in its class's DEFAULT_CSS, so they are read when the screen is first
opened: Home's first frame does not wait for the rules of screens not yet shown.
"""

CSS = """
Screen { layers: base overlay; }

.titlebar {
    dock: top; height: 1; background: $panel; color: $text; padding: 0 1;
}
.titlebar .title { width: 1fr; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis; }
.titlebar .model { width: auto; max-width: 45%; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis;
                   padding-left: 1; }
.titlebar .model.-guide { color: $warning; }
.titlebar .model.-model { color: $success; }

.panel { border: round $primary 40%; border-title-color: $text; padding: 0 1; }
.panel:focus-within { border: round $accent; }
.panel > OptionList { border: none; height: 1fr; background: transparent; padding: 0; }
.muted { color: $text-muted; }
.hint { color: $text-muted; height: auto; }
.error-text { color: $error; height: auto; }
.error-text.-empty { display: none; }
.section-title { text-style: bold; margin-top: 1; }

ChatInput { height: auto; min-height: 2; max-height: 8; border: none; padding: 0; background: $boost; }
ChatInput:focus { border: none; background: $primary 15%; }
Input.compact { height: 1; border: none; padding: 0 1; background: $boost; }
Input.compact:focus { background: $primary 25%; }
Input.compact.-invalid { background: $error 20%; }
Button.compact { min-width: 8; height: 1; border: none; margin: 0 1 0 0; }
.form-row { height: 1; margin-bottom: 0; margin-top: 1; }
.form-row Label { width: 10; color: $text-muted; }
.form-row .grow { width: 1fr; }
.form-row .credence { width: 8; }
.buttons { height: 1; margin-top: 1; }

.form { height: 1fr; padding: 0 1; }

/* Modals */
ModalScreen { align: center middle; }
.dialog { width: 72; max-width: 95%; height: auto; max-height: 90%; border: thick $primary; background: $surface; padding: 1 2; }
.dialog OptionList { height: auto; max-height: 14; }

"""
