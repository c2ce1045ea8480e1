"""The app's stylesheet (kept in Python so it ships inside the package)."""

CSS = """
Screen { layers: base overlay; }

.titlebar {
    dock: top; height: 1; background: $panel; color: $text; padding: 0 1;
}
.titlebar .title { width: 1fr; text-style: bold; }
.titlebar .model { width: auto; color: $text-muted; }
.titlebar .model.-guide { color: $warning; }
.titlebar .model.-model { color: $success; }

.panel { border: round $primary 40%; border-title-color: $text; padding: 0 1; }
.panel:focus-within { border: round $accent; }
.muted { color: $text-muted; }
.hint { color: $text-muted; height: auto; }
.error-text { color: $error; height: auto; }
.error-text.-empty { display: none; }
.section-title { text-style: bold; margin-top: 1; }

Input.compact { height: 1; border: none; padding: 0 1; background: $boost; }
Input.compact:focus { background: $primary 25%; }
Input.compact.-invalid { background: $error 20%; }
Button.compact { min-width: 8; height: 1; border: none; margin: 0 1 0 0; }
.form-row { height: 1; margin-bottom: 0; margin-top: 1; }
.form-row Label { width: 10; color: $text-muted; }
.form-row .grow { width: 1fr; }
.form-row .credence { width: 8; }
.buttons { height: 1; margin-top: 1; }

/* Home */
#home-top { height: 12; }
#actions { width: 46; }
#actions OptionList, #recent OptionList { border: none; height: 1fr; background: transparent; }
#recent { width: 1fr; }
#home-beliefs { height: 1fr; min-height: 5; }
#home-beliefs DataTable { height: 1fr; background: transparent; }
#kb-status { height: 1; padding: 0 1; color: $text-muted; }

/* Session */
#stagebar { height: 1; padding: 0 1; background: $boost; }
#stagebar .stage { width: auto; padding: 0 1; color: $text-muted; }
#stagebar .stage.-done { color: $success; }
#stagebar .stage.-current { background: $primary; color: $text; text-style: bold; }
#session-body { height: 1fr; }
#conversation { width: 1fr; }
#log { height: 1fr; padding: 0 1; }
#sources { width: 30; border-left: vkey $primary 40%; padding: 0 1; }
#sources.-hidden { display: none; }
#sources OptionList { height: 1fr; border: none; background: transparent; }
#source-preview { height: auto; max-height: 10; color: $text-muted; }
.msg { height: auto; margin: 0 0 1 0; }
.msg:focus { background: $boost; }
.msg .who { text-style: bold; height: 1; }
.msg.-user .who { color: $accent; }
.msg.-advisor .who { color: $success; }
.msg.-notice { color: $text-muted; }
.msg.-error { color: $error; }
.msg.-stage { color: $primary; text-style: bold; }
.msg Markdown { margin: 0; padding: 0; }
#inputs { height: auto; max-height: 14; border-top: hkey $primary 40%; padding: 0 1; }
#inputs > * { height: auto; }
#chat-hint { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
ChatInput { height: auto; min-height: 2; max-height: 8; border: none; padding: 0; background: $boost; }
ChatInput:focus { background: $primary 15%; }
#busy { height: 1; color: $warning; }
#busy.-idle { display: none; }

/* Journal, beliefs, knowledge */
#journal-body, #beliefs-body { height: 1fr; }
#entries, #belief-table { width: 1fr; min-width: 30; }
#entry-detail, #belief-detail { width: 1fr; padding: 0 1; }
#entry-diff, #belief-history { height: auto; }
PlotextPlot { height: 12; min-height: 8; }
#index-progress { height: 1; }
#index-progress.-idle { display: none; }
#note-body { height: 1fr; min-height: 4; }
#search-results, #card-list, #subfield-list { width: 40%; height: 1fr; }
#search-preview, #card-preview, #subfield-preview { width: 1fr; height: 1fr; padding: 0 1; }
.form { height: auto; padding: 0 1; }
.post-reveal { color: $success; height: auto; }

/* Modals */
ModalScreen { align: center middle; }
.dialog { width: 72; max-width: 95%; height: auto; max-height: 90%; border: thick $primary; background: $surface; padding: 1 2; }
.dialog OptionList { height: auto; max-height: 14; }

HelpScreen Markdown { padding: 0 2; }
"""
