"""MS Project XML (MSPDI, "Save as XML" in MS Project, also written by MPXJ, ProjectLibre,
GanttProject) read as the milestones of one project.

An uploaded XML is untrusted: a DOCTYPE (the door to external entities, XXE, and to entity
expansion, "billion laughs") is refused before any parser sees the file, and the parser
(defusedxml) refuses DTDs and entities again. MSPDI never needs either. Any other XML is
refused with its root element named.

What is read per task: name, outline number (text: 3.10 stays 3.10), outline level, summary and
milestone flags, start and finish (the forecast), baseline 0 start and finish, actual finish
and % complete. ``schedule.milestone_sheet`` turns the tasks into one milestones sheet.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from config import Config
from data_loaders.guard import Refused, utf16
from data_loaders.read import RawSheet
from data_loaders.schedule import Task, milestone_sheet

NS = "{http://schemas.microsoft.com/project}"
# Markup that declares a DTD or entities, in any case and spacing the parser would accept.
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.I)
_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)


def _text(data: bytes) -> str:
    if encoding := utf16(data):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            raise Refused("the XML file looks like UTF-16 text but is not valid UTF-16") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # an XML declaration may name a legacy encoding (MS Project writes UTF-8)
        m = re.match(rb'\s*<\?xml[^>]*encoding=["\']([\w.-]+)', data)
        try:
            return data.decode(m.group(1).decode() if m else "cp1252")
        except (LookupError, UnicodeDecodeError):
            raise Refused("the XML file is not UTF-8 and names no encoding Python reads") from None


def parse_xml(data: bytes):
    """The root element of a safe XML document, or ``Refused``."""
    text = _text(data)
    if _DECLARATION.search(text):
        raise Refused(
            "the XML file declares a DOCTYPE or entities: refused for safety (entities can read "
            "server files or expand to gigabytes). MS Project XML never has one; re-export it"
        )
    text = _PROLOG.sub("", text, count=1)  # the text is decoded: its encoding name is moot
    try:
        return fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise Refused("the XML file declares a DTD or entities: refused for safety") from None
    except Exception as exc:  # expat's ParseError: not well-formed
        raise Refused(f"the XML file cannot be read: {str(exc)[:120]}") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _when(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip()).date()
    except ValueError:
        return None


def _flag(text: str | None) -> bool:
    return (text or "").strip().lower() in ("1", "true")


def read(name: str, data: bytes, config: Config, project_id, report_date) -> list[RawSheet]:
    """The file's tasks as one milestones sheet; ``project_id`` and ``report_date`` are the
    PM's (``--project``, ``--report-date``) and win over what the file says."""
    root = parse_xml(data)
    ns = NS if root.tag.startswith(NS) else ""
    if _local(root.tag) != "Project" or root.find(f"{ns}Tasks") is None:
        raise Refused(
            f"an XML file, but not MS Project XML (MSPDI): its root element is "
            f"<{_local(root.tag)}>. Only MS Project XML exports are read; for other data "
            "upload a spreadsheet or CSV"
        )

    def get(el, tag: str) -> str | None:
        child = el.find(ns + tag)
        return child.text.strip() if child is not None and child.text else None

    tasks: list[Task] = []
    inactive = 0
    for pos, el in enumerate(root.iterfind(f"{ns}Tasks/{ns}Task"), 1):
        if len(tasks) >= config.ingest.max_rows:
            raise Refused(
                f"more than {config.ingest.max_rows:,} tasks (ingest.max_rows); split the plan"
            )
        if _flag(get(el, "IsNull")) or get(el, "UID") == "0":  # a blank line; the project task
            continue
        if get(el, "Active") == "0":  # an inactive task: struck out of the schedule
            inactive += 1
            continue
        base = next((b for b in el.iterfind(f"{ns}Baseline") if get(b, "Number") == "0"), None)
        pct = get(el, "PercentComplete")
        level = get(el, "OutlineLevel")
        tasks.append(Task(
            row=pos + 1,  # the header is row 1; the file's n-th task is row n + 1
            name=(get(el, "Name") or "")[: config.ingest.max_text_chars],
            level=int(level) if level and level.isdigit() else 1,
            task_id=get(el, "OutlineNumber") or get(el, "WBS") or get(el, "ID"),
            summary=_flag(get(el, "Summary")),
            milestone=_flag(get(el, "Milestone")),
            start=_when(get(el, "Start")),
            finish=_when(get(el, "Finish")),
            baseline_start=_when(get(base, "Start")) if base is not None else None,
            baseline_finish=_when(get(base, "Finish")) if base is not None else None,
            actual_finish=_when(get(el, "ActualFinish")),
            percent=float(pct) if pct and pct.replace(".", "", 1).isdigit() else None,
        ))  # fmt: skip
    if not tasks:
        raise Refused("an MS Project XML file without tasks: nothing to load")
    notes = [f"{inactive} inactive task(s) left out"] if inactive else []
    title = get(root, "Title") or re.sub(r"\.(xml|mpp)$", "", get(root, "Name") or "", flags=re.I)
    if not project_id and title:
        notes.append(f"project '{title}' from the file's project title (override with --project)")
    if report_date is None:
        for tag in ("StatusDate", "CurrentDate", "LastSaved"):
            if found := _when(get(root, tag)):
                report_date = found
                notes.append(f"report date {found} from the file's {tag} "
                             "(override with --report-date)")  # fmt: skip
                break
    if not any(t.baseline_finish for t in tasks):
        notes.append("the plan has no baseline (Baseline 0): baseline dates stay empty; "
                     "the finish dates load as forecasts")  # fmt: skip
    sheet_name = f"{name.rsplit('/', 1)[-1]} (MS Project schedule)"
    return [
        milestone_sheet(
            sheet_name,
            tasks,
            project_id,
            None if project_id else title or None,
            report_date,
            notes,
        )
    ]
