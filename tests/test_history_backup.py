"""Full backups on real parts: the journal file's tables and the notes folder out as JSON and back
in (into an empty home, or merged into one that holds data, without duplicates); Markdown with
the session transcripts; never the API key."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr
from support import KB_NOTES, kb_make_settings, seed_journal

from advisor.errors import UsageError
from advisor.history.backup import backup_json, export_backup, export_markdown, import_backup
from advisor.journal.store import JournalStore
from advisor.knowledge import KnowledgeBase
from advisor.session.store import SessionStore


class Home:
    """One ADVISOR_HOME: its settings, journal, sessions and knowledge base."""

    def __init__(self, root: Path, cards: Path, embedder, **settings) -> None:
        self.settings = kb_make_settings(root, cards)
        for key, value in settings.items():
            setattr(self.settings.model, key, value)
        self.journal = JournalStore.open(self.settings.journal_path)
        self.sessions = SessionStore(self.journal)
        self.kb = KnowledgeBase(self.settings, embedder=embedder)

    def export(self) -> dict:
        return json.loads(backup_json(export_backup(self.journal, self.kb), self.settings))

    def load(self, data: dict, merge: bool = False):
        return import_backup(self.journal, self.kb, data, "backup.json", merge=merge)

    def count(self, table: str) -> int:
        return self.journal.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def close(self) -> None:
        self.kb.close()
        self.journal.close()


@pytest.fixture
def homes(tmp_path: Path, kb_cards_dir: Path, kb_embedder):
    made: list[Home] = []

    def make(name: str, **settings) -> Home:
        made.append(Home(tmp_path / name, kb_cards_dir, kb_embedder, **settings))
        return made[-1]

    yield make
    for home in made:
        home.close()


def _filled(home: Home) -> None:
    seed_journal(home.journal)
    s = home.sessions.create("lab or PhD", "explore")
    home.sessions.add_turn(s.id, "explore", "user", "What do safety teams do all day?")
    home.sessions.update(s.id, entry_id=1)
    home.kb.add_text("Sam said the team mostly runs evals.", title="Sam, Nov")
    home.kb.add_paths([KB_NOTES / "journaling.txt"])
    latin = home.settings.home / "latin.txt"
    latin.write_bytes("Caf\xe9 talk about d\xe9bat protocols.\n".encode("latin-1"))
    assert home.kb.add_paths([latin]).ok


def test_a_backup_holds_the_notes_and_restores_them_byte_for_byte(homes):
    old = homes("old")
    _filled(old)
    data = old.export()
    notes = {n["file"][9:]: n for n in data["notes"]}
    assert notes["sam-nov.md"]["origin"] == "stdin" and "mostly runs evals" in notes["sam-nov.md"]["text"]
    assert notes["sam-nov.md"]["title"] == "Sam, Nov" and notes["sam-nov.md"]["added_at"]
    assert notes["latin.txt"]["text"] is None and notes["latin.txt"]["data_base64"]  # not UTF-8: kept as bytes
    assert notes["journaling.txt"]["origin"].endswith("tests/corpus/notes/journaling.txt")
    new = homes("new")
    report = new.load(data)
    assert report.rows["ratings"] == old.count("ratings") and [o.outcome for o in report.notes] == ["added"] * 3
    for note in old.kb.list_notes():
        copy = new.settings.notes_dir / Path(note.path).name
        assert copy.read_bytes() == Path(note.path).read_bytes()
    assert [(n.id, n.title, n.origin, n.added_at) for n in new.kb.list_notes()] == \
        [(n.id, n.title, n.origin, n.added_at) for n in old.kb.list_notes()]
    assert new.export()["notes"] == data["notes"] and new.export()["tables"] == data["tables"]


def test_an_import_that_is_not_a_merge_needs_an_empty_home_and_writes_nothing_otherwise(homes):
    old = homes("old")
    _filled(old)
    data = old.export()
    notes_only = homes("notes-only")
    notes_only.kb.add_text("A note of my own.")
    with pytest.raises(UsageError, match="already holds notes"):
        notes_only.load(data)
    assert notes_only.count("entries") == 0 and len(notes_only.kb.list_notes()) == 1
    damaged = dict(data, notes=[*data["notes"], {"id": "x", "file": "../escape.md", "title": "x", "text": "x"}])
    fresh = homes("fresh")
    with pytest.raises(UsageError, match="note 4 is damaged"):
        fresh.load(damaged)
    assert fresh.count("entries") == 0 and fresh.kb.list_notes() == []


def test_merging_adds_only_what_is_missing_and_follows_the_new_ids(homes):
    laptop, desktop = homes("laptop"), homes("desktop")
    _filled(laptop)
    # the desktop journaled on its own: a belief both share, a talk the laptop never saw, a note
    e = desktop.journal.create_entry("Chat with Lee")
    desktop.journal.add_pre_belief(e.id, "i would learn faster at a lab than in a PhD.", 50, "desk")
    desktop.journal.add_pre_belief(e.id, "Governance needs engineers", 70, "")
    desktop.kb.add_text("Lee works on compute governance.", title="Lee")
    report = desktop.load(laptop.export(), merge=True)
    assert report.rows["entries"] == 2 and report.rows["sessions"] == 1 and report.rows["turns"] == 1
    # the shared statement is one belief, now rated in both homes' entries
    beliefs = {b.statement.lower(): b for b in desktop.journal.all_beliefs()}
    assert len(beliefs) == 4 and report.matched["beliefs"] == 1
    shared = desktop.journal.belief_history(beliefs["i would learn faster at a lab than in a phd."].id)
    assert [p.entry_about for p in shared.points].count("Chat with Lee") == 1 and len(shared.points) == 4
    # the session points at the laptop's entry under its new id here
    session = next(r for r in desktop.sessions.list() if r.topic == "lab or PhD")
    assert desktop.journal.get_entry(session.entry_id).about == "Coffee with Sam about lab safety teams"
    assert desktop.sessions.turns(session.id)[0].content == "What do safety teams do all day?"
    assert len(desktop.kb.list_notes()) == 4
    # merging the same backup again changes nothing
    counts = {t: desktop.count(t) for t in ("entries", "beliefs", "ratings", "sessions", "turns")}
    again = desktop.load(laptop.export(), merge=True)
    assert again.rows == {} and {t: desktop.count(t) for t in counts} == counts
    assert all(o.outcome == "unchanged" for o in again.notes) and len(desktop.kb.list_notes()) == 4


def test_merging_moves_progress_forward_and_keeps_what_differs_here(homes):
    laptop, desktop = homes("laptop"), homes("desktop")
    seed_journal(laptop.journal)
    desktop.load(laptop.export())  # the same journal in both homes
    laptop.journal.rate_post(2, 2, 70, "Priya convinced me")  # a post written on the laptop...
    laptop.journal.rate_post(2, 3, 45, "")
    laptop.journal.complete_post(2)
    laptop.journal.set_resolve_by(3, date(2030, 1, 1))
    desktop.journal.rate_post(1, 1, 99, "changed my mind here")  # ...while the desktop amended a rating
    report = desktop.load(laptop.export(), merge=True)
    assert desktop.journal.get_entry(2).post_status == "complete"
    assert desktop.journal.post_ratings(2)[2].reason == "Priya convinced me"
    assert desktop.journal.get_belief(3).resolve_by == date(2030, 1, 1)
    assert desktop.journal.post_ratings(1)[1].credence == 99 and report.kept == 1


def test_markdown_has_the_session_transcripts_and_no_export_holds_the_api_key(homes):
    key = "sk-test-9f8e7d6c5b4a39281706"
    home = homes("home", api_key=SecretStr(key))
    seed_journal(home.journal)
    s = home.sessions.create("lab or PhD", "explore")
    home.sessions.add_turn(s.id, "explore", "user", "Which team should I ask about?")
    home.sessions.add_turn(s.id, "explore", "notice", f"the endpoint refused the key {key}")
    a = home.sessions.create("What is a research field?", "explore", kind="ask")
    home.sessions.add_turn(a.id, "explore", "advisor", "A community of people.\n## A heading in a reply")
    md = export_markdown(home.journal, home.settings)
    journal_part, _, rest = md.partition("# Sessions")
    sessions_part, _, asks_part = rest.partition("# One-off questions")
    assert "## #1 Coffee with Sam about lab safety teams" in journal_part
    assert "## Session #1: lab or PhD" in sessions_part and "**You**: Which team should I ask about?" in sessions_part
    assert "## Session #2: What is a research field?" in asks_part and "### A heading in a reply" in asks_part
    assert key not in md and key not in backup_json(export_backup(home.journal, home.kb), home.settings)
