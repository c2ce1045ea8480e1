"""The user's notes: add files, folders or typed text, list them, remove them.

A note is a copy in the notes folder (`<8-hex id>-<slug><suffix>`, mode 0600) that the user can
read; the index is derived from it. Re-adding an unchanged file (same origin, or the same content)
does nothing; a changed file replaces its note's passages. Each bad input is one failed item with
a one-line reason, recorded so that `advisor kb status` shows it; the rest are still added.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.errors import StorageError, UsageError
from advisor.knowledge.documents import FileInfo, SourceError
from advisor.knowledge.indexer import Job, Result, now
from advisor.knowledge.ingest import FAILED_ADD, NOTE_NAME, Ingest, note_id_of
from advisor.knowledge.models import AddOutcome, AddReport, NoteInfo, NoteRecord, ProgressCallback
from advisor.knowledge.progress import Ticker
from advisor.knowledge.readers import note_formats, supported_suffixes
from advisor.knowledge.sources import inspect_file, looks_binary, megabytes, open_document, slugify
from advisor.knowledge.stores import Stores
from advisor.private import private_dir, write_private

if TYPE_CHECKING:
    import sqlite3

NOTE = "note:"  # a note's source id is NOTE + its id


@dataclass
class _PendingAdd:
    """A file copied into the notes folder, waiting to be indexed with the others."""

    shown: str
    src: Path
    nid: str
    job: Job
    updated: bool


def _unchanged(shown: str, row: sqlite3.Row, message: str) -> AddOutcome:
    return AddOutcome(path=shown, outcome="unchanged", note_id=row["source_id"][len(NOTE):], title=row["title"],
                      chunks=row["n_chunks"], message=message)


def _same_content(shown: str, row: sqlite3.Row) -> AddOutcome:
    return _unchanged(shown, row, f"same content as note {row['source_id'][len(NOTE):]}, skipped")


class Notes:
    """Note CRUD over the stores; indexing goes through `Ingest`."""

    def __init__(self, stores: Stores, ingest: Ingest) -> None:
        self.stores = stores
        self.ingest = ingest

    @property
    def notes_dir(self) -> Path:
        return self.stores.notes_dir

    # ------------------------------------------------------------------ adding files
    def add_paths(
        self, paths: Iterable[str | os.PathLike[str]], progress: ProgressCallback | None = None
    ) -> AddReport:
        """Copy files (folders recursively, in the supported formats) into the notes folder and
        index them. Each bad input becomes a failed item with a one-line reason."""
        report = AddReport()
        files: list[tuple[str, Path]] = []
        suffixes = supported_suffixes()
        for given in paths:
            p = Path(given).expanduser()
            if not p.exists():
                report.items.append(AddOutcome(path=str(given), outcome="failed", message="no such file or folder"))
                continue
            if p.is_dir():
                found = [
                    f for f in sorted(p.rglob("*"))
                    if f.is_file()
                    and f.suffix.lower() in suffixes
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                ]
                if not found:
                    report.items.append(AddOutcome(
                        path=str(given), outcome="failed", message=f"folder has no {note_formats(' or ')} files"
                    ))
                files += [(str(f), f) for f in found]
            else:
                files.append((str(given), p))
        private_dir(self.notes_dir)
        ticker = Ticker(progress)
        ticker.phase("checking", files_total=len(files))
        checked: list[tuple[str, Path, FileInfo]] = []
        for shown, p in files:
            try:
                checked.append((shown, p, self.stores.inspect(p)))
            except SourceError as exc:
                report.items.append(AddOutcome(path=shown, outcome="failed", message=str(exc)))
                self._record_failed_add(p, str(exc))
            ticker.file_done(p.name)
        started = now()
        self.ingest.ready(progress)  # indexes, too, the copies an interrupted add left unindexed
        # 1. decide and copy, file by file; 2. index all the copies in pooled batches
        outcomes: list[AddOutcome | _PendingAdd] = []
        pending_by_sha: dict[str, _PendingAdd] = {}
        taken = {m.group(1) for f in os.listdir(self.notes_dir) if (m := NOTE_NAME.match(f))}
        for shown, p, info in checked:
            dup = pending_by_sha.get(info.sha256)
            if dup is not None:  # the same content twice in one call
                self._clear_failed_add(str(p.resolve()))
                outcomes.append(AddOutcome(
                    path=shown, outcome="unchanged", note_id=dup.nid,
                    message=f"same content as note {dup.nid}, skipped",
                ))
                continue
            item = self._prepare_add(shown, p, info, taken, started)
            if isinstance(item, _PendingAdd):
                pending_by_sha[info.sha256] = item
            outcomes.append(item)
        pending = [o for o in outcomes if isinstance(o, _PendingAdd)]
        results = self.ingest.index_jobs([o.job for o in pending], ticker, on_failure=self._failed_add)
        titles: dict[str, str | None] = {}
        for o in outcomes:
            if isinstance(o, _PendingAdd):
                report.items.append(self._finish_add(o, results[o.job.sid]))
                titles[o.nid] = report.items[-1].title
            else:
                if o.outcome == "unchanged" and o.title is None and o.note_id in titles:
                    o.title = titles[o.note_id]
                report.items.append(o)
        return report

    def _prepare_add(self, shown: str, src: Path, info: FileInfo, taken: set[str] | None = None,
                     started: str | None = None) -> AddOutcome | _PendingAdd:
        """Skip an unchanged file, or copy it into the notes folder as a job to index."""
        origin = str(src.resolve())
        cat = self.stores.catalog
        existing = cat.source_by_origin(origin)
        if existing is not None and existing["sha256"] == info.sha256 and Path(existing["path"]).exists():
            self._clear_failed_add(origin)
            return _unchanged(shown, existing, "unchanged, skipped")
        same = cat.source_by_hash(info.sha256)
        if same is not None and Path(same["path"]).exists():
            self._clear_failed_add(origin)
            if same["origin"] is None:  # a copy left by an add that was stopped (or put there by hand): this file's
                cat.set_origin(same["source_id"], origin)  # from now on, so that editing the file updates it
                if started is not None and same["indexed_at"] >= started:  # indexed by this run, before the copying
                    return AddOutcome(path=shown, outcome="added", note_id=same["source_id"][len(NOTE):],
                                      title=same["title"], chunks=same["n_chunks"], warning=info.warning)
            return _same_content(shown, same)
        nid = existing["source_id"][len(NOTE):] if existing is not None else self._new_note_id(origin, taken)
        # a note keeps its format's suffix; a file in another format is read, and kept, as text
        suffix = src.suffix.lower() if src.suffix.lower() in supported_suffixes() else ".txt"
        dest = self.notes_dir / f"{nid}-{slugify(src.stem)}{suffix}"
        if existing is not None and Path(existing["path"]) != dest:
            Path(existing["path"]).unlink(missing_ok=True)
        try:
            if src.resolve() != dest.resolve():
                tmp = dest.with_name("." + dest.name + ".part")
                shutil.copyfile(src, tmp)
                os.chmod(tmp, 0o600)
                os.replace(tmp, dest)
        except OSError as exc:
            raise StorageError(f"cannot copy {src} into {self.notes_dir}: {exc.strerror or exc}") from None
        st = dest.stat()
        copy = FileInfo(dest, st.st_size, st.st_mtime_ns, info.sha256, info.reader, info.encoding, info.warning)
        job = Job(NOTE + nid, "note", copy, origin=origin)
        return _PendingAdd(shown=shown, src=src, nid=nid, job=job, updated=existing is not None)

    def _finish_add(self, item: _PendingAdd, result: Result) -> AddOutcome:
        if result.error is not None:
            self._record_failed_add(item.src, result.error)
            return AddOutcome(path=item.shown, outcome="failed", message=result.error)
        self._clear_failed_add(item.job.origin or "")
        row = self.stores.catalog.source(item.job.sid)
        return AddOutcome(
            path=item.shown, outcome="updated" if item.updated else "added", note_id=item.nid,
            title=row["title"] if row else None, chunks=result.chunks, warning=item.job.info.warning,
        )

    def _failed_add(self, job: Job, error: str) -> None:
        """A copy that could not be indexed goes: no note is left half-added."""
        self.ingest.delete_source(job.sid)
        job.info.path.unlink(missing_ok=True)

    def _record_failed_add(self, path: Path, error: str) -> None:
        origin = str(path.resolve())
        self.stores.catalog.upsert_source(
            FAILED_ADD + origin, kind="note", path=origin, title=path.name, origin=origin,
            status="failed", error=error, n_chunks=0, indexed_at=now(), topics=[],
        )

    def _clear_failed_add(self, origin: str) -> None:
        self.stores.catalog.forget_source(FAILED_ADD + origin)

    def _new_note_id(self, seed: str, taken: set[str] | None = None) -> str:
        """A fresh 8-hex note id. `taken`: the ids of the files in the notes folder, listed once by
        the caller (and kept up to date) instead of a glob of the folder per note."""
        cat = self.stores.catalog
        for salt in range(1000):
            nid = hashlib.sha256(f"{seed}\0{salt}".encode()).hexdigest()[:8]
            if cat.source(NOTE + nid) is not None:
                continue
            if taken is None:
                if list(self.notes_dir.glob(nid + "-*")):
                    continue
            elif nid in taken:
                continue
            else:
                taken.add(nid)
            return nid
        raise StorageError("cannot allocate a note id")  # pragma: no cover

    # ------------------------------------------------------------------ typed notes
    def add_text(self, text: str, title: str | None = None, origin: str = "stdin") -> AddOutcome:
        """Save text as a Markdown note (title in its front matter) and index it."""
        import yaml

        body = text.strip()
        if not body:
            raise UsageError("empty note: nothing to add")
        if "\x00" in body or looks_binary(body[:8192].encode("utf-8", errors="replace")):
            raise UsageError("the note is binary data (NUL or control bytes), not text; nothing was added")
        title = (title or "").strip() or default_title(body)
        content = "---\n" + yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False) + "---\n\n" + body + "\n"
        data = content.encode("utf-8")
        if len(data) > self.stores.max_file_bytes:
            raise UsageError(f"the note is {megabytes(len(data))}, over the {megabytes(self.stores.max_file_bytes)} "
                             "limit (knowledge.max_file_mb); nothing was added")
        private_dir(self.notes_dir)
        sha = hashlib.sha256(data).hexdigest()
        same = self.stores.catalog.source_by_hash(sha)
        if same is not None and Path(same["path"]).exists():
            return _same_content("-", same)
        nid = self._new_note_id(sha)
        dest = self.notes_dir / f"{nid}-{slugify(title)}.md"
        write_private(dest, data)
        try:
            info = self.stores.inspect(dest)
        except SourceError as exc:
            dest.unlink(missing_ok=True)
            raise UsageError(f"cannot add note: {exc}") from None
        job = Job(NOTE + nid, "note", info, origin=origin)
        result = self.ingest.index_jobs([job], Ticker(self.ingest.progress), on_failure=self._failed_add)[job.sid]
        if result.error is not None:
            raise UsageError(f"cannot add note: {result.error}")
        return AddOutcome(path="-", outcome="added", note_id=nid, title=title, chunks=result.chunks)

    # ------------------------------------------------------------------ list / remove
    def list_notes(self) -> list[NoteInfo]:
        """The notes as the catalog records them, and the files in the notes folder it does not
        know yet ("pending"). Reads no note and indexes nothing: fast at thousands of notes."""
        on_disk = self._note_files()
        out = []
        for r in self.stores.catalog.sources("note"):
            if r["source_id"].startswith(FAILED_ADD):
                continue
            name = Path(r["path"]).name
            gone = on_disk.pop(name, None) is None
            out.append(NoteInfo(
                id=r["source_id"][len(NOTE):], title=r["title"], path=r["path"], origin=r["origin"],
                chunks=r["n_chunks"], size=r["size"] or 0, added_at=r["added_at"],
                status="missing" if gone else r["status"],
                warning="file is gone; `advisor kb reindex` drops it" if gone else r["error"] or r["warning"],
            ))
        for path in on_disk.values():
            out.append(NoteInfo(id=note_id_of(path), title=NOTE_NAME.sub("", path.stem), path=str(path),
                                status="pending", warning="not indexed yet; the next search indexes it"))
        return sorted(out, key=lambda n: (n.added_at or "~", n.id))

    def _note_files(self) -> dict[str, Path]:
        """{file name: path} of the notes folder's notes, from one listing."""
        try:
            names = os.listdir(self.notes_dir)
        except FileNotFoundError:
            return {}
        suffixes = supported_suffixes()
        return {n: self.notes_dir / n for n in names
                if not n.startswith(".") and os.path.splitext(n)[1].lower() in suffixes}

    def _find_note(self, note_id: str) -> sqlite3.Row:
        note_id = note_id.strip().removeprefix(NOTE)
        if not note_id:
            raise UsageError("give a note id (see `advisor notes list`)")
        cat = self.stores.catalog
        row = cat.source(NOTE + note_id)
        if row is None:
            rows = cat.sources_by_prefix("note", NOTE + note_id)
            if len(rows) > 1:
                raise UsageError(f"note id {note_id!r} is ambiguous; give more characters")
            row = rows[0] if rows else None
        if row is None:
            raise UsageError(f"no note with id {note_id!r} (see `advisor notes list`)")
        return row

    def find_note(self, note_id: str) -> NoteInfo:
        """A note by its (possibly shortened) id."""
        self.ingest.ready()
        row = self._find_note(note_id)
        return NoteInfo(id=row["source_id"][len(NOTE):], title=row["title"], path=row["path"], origin=row["origin"],
                        chunks=row["n_chunks"], added_at=row["added_at"], status=row["status"])

    def remove_note(self, note_id: str) -> NoteInfo:
        """Delete a note's file and its chunks."""
        row = self._find_note(note_id)
        info = NoteInfo(id=row["source_id"][len(NOTE):], title=row["title"], path=row["path"], origin=row["origin"],
                        chunks=row["n_chunks"])
        path = Path(row["path"])
        if path.parent.resolve() == self.notes_dir.resolve():
            path.unlink(missing_ok=True)
        self.ingest.delete_source(row["source_id"])
        return info

    # ------------------------------------------------------------------ reading, backup and restore
    def note_text(self, note_id: str) -> tuple[NoteInfo, str]:
        """A note's metadata and its text as indexed (front matter left out; a PDF's extracted text)."""
        self.ingest.ready()
        row = self._find_note(note_id)
        info = NoteInfo(id=row["source_id"][len(NOTE):], title=row["title"], path=row["path"], origin=row["origin"],
                        chunks=row["n_chunks"], added_at=row["added_at"], status=row["status"])
        try:
            doc = open_document(inspect_file(Path(row["path"])))
            return info, "\n".join(line for _, line, _ in doc.lines)
        except (OSError, SourceError) as exc:
            raise UsageError(f"cannot read note {info.id} ({row['path']}): {exc}") from None

    def export_notes(self) -> list[NoteRecord]:
        """Every note file in the notes folder, byte for byte, with its title, origin and date from
        the index when it has them (a file not indexed yet is exported too)."""
        out: list[NoteRecord] = []
        if not self.notes_dir.is_dir():
            return out
        cat = self.stores.catalog
        suffixes = supported_suffixes()
        for path in sorted(self.notes_dir.iterdir()):
            m = NOTE_NAME.match(path.name)
            if not m or not path.is_file() or path.suffix.lower() not in suffixes:
                continue
            data = path.read_bytes()
            row = cat.source(NOTE + m.group(1))
            text = None if b"\x00" in data else _utf8(data)
            out.append(NoteRecord(
                id=m.group(1), file=path.name, title=row["title"] if row else path.stem[9:] or path.stem,
                origin=row["origin"] if row else None, added_at=row["added_at"] if row else None, text=text,
                data_base64=None if text is not None else base64.b64encode(data).decode("ascii"),
            ))
        return out

    def restore_notes(self, records: Iterable[NoteRecord]) -> list[AddOutcome]:
        """Write notes from a backup into the notes folder and index them. A note whose content is
        here already is skipped; one whose id is taken by another note gets a new id."""
        self.ingest.ready()
        private_dir(self.notes_dir)
        cat = self.stores.catalog
        outcomes: list[AddOutcome] = []
        jobs: list[tuple[Job, str | None]] = []
        for record in records:
            data = _record_bytes(record)
            m = NOTE_NAME.match(record.file)
            if not m or Path(record.file).name != record.file or Path(record.file).suffix.lower() not in supported_suffixes():
                outcomes.append(AddOutcome(path=record.file, outcome="failed", message="not a note file name"))
                continue
            sha = hashlib.sha256(data).hexdigest()
            same = cat.source_by_hash(sha)
            dest = self.notes_dir / record.file
            if (same is not None and Path(same["path"]).exists()) or (dest.exists() and dest.read_bytes() == data):
                outcomes.append(AddOutcome(path=record.file, outcome="unchanged", note_id=m.group(1), title=record.title,
                                           message="already here, skipped"))
                continue
            nid = m.group(1)
            if dest.exists() or cat.source(NOTE + nid) is not None:
                nid = self._new_note_id(sha)
                dest = self.notes_dir / (nid + record.file[len(m.group(1)):])
            tmp = dest.with_name("." + dest.name + ".part")
            try:
                write_private(tmp, data)
                os.replace(tmp, dest)
            except OSError as exc:
                raise StorageError(f"cannot write {dest}: {exc.strerror or exc}") from None
            try:
                jobs.append((Job(NOTE + nid, "note", inspect_file(dest), origin=record.origin), record.added_at))  # a backup comes back whole, whatever the size limit
            except SourceError as exc:
                outcomes.append(AddOutcome(path=record.file, outcome="failed", note_id=nid, message=str(exc)))
        results = self.ingest.index_jobs([job for job, _ in jobs], Ticker(self.ingest.progress)) if jobs else {}
        for job, added_at in jobs:
            nid = job.sid[len(NOTE):]
            result = results[job.sid]
            row = cat.source(job.sid)
            if added_at and row is not None:  # the day it was first added, not the day it was restored
                fields = {k: v for k, v in dict(row).items() if k not in ("source_id", "topics")}
                cat.upsert_source(job.sid, **(fields | {"added_at": added_at}))
            outcomes.append(AddOutcome(
                path=job.info.path.name, outcome="failed" if result.error else "added", note_id=nid,
                title=row["title"] if row else None, chunks=result.chunks, message=result.error,
            ))
        return outcomes


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _record_bytes(record: NoteRecord) -> bytes:
    if record.text is not None:
        return record.text.encode("utf-8")
    if record.data_base64 is not None:
        try:
            return base64.b64decode(record.data_base64, validate=True)
        except ValueError:
            raise UsageError(f"note {record.id!r} has damaged data") from None
    raise UsageError(f"note {record.id!r} has no content")


def default_title(body: str, limit: int = 80) -> str:
    """A typed note's title when none is given: its first line, up to where its first clause or
    sentence ends if that is long enough to name it, else cut at a word (it was cut mid-word)."""
    line = body.strip().splitlines()[0].lstrip("#").strip() if body.strip() else ""
    if len(line) <= limit:
        return line or "Untitled note"
    head = line[:limit + 1]
    ends = [m.start() for m in re.finditer(r"[:.;?!](\s|$)| [—–-] ", head) if m.start() >= 20]
    if ends:
        return line[:ends[0]].rstrip()
    return head.rsplit(" ", 1)[0].rstrip(" ,;:-—") + "…"
