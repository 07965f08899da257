"""One digest run: analysis → draft → digest message → Digest row → deliveries.

`produce_digest` is blocking (analysis, pandas, python-docx) and is run in a worker thread
by the async callers. It writes into a directory of its own and only then inserts the Digest
row; the (campaign, slot) unique key decides between two processors, and the loser deletes
its files. Files are never overwritten, so a planner's /unduh always gets a consistent pair.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from processor import background, digest_store
from processor.digest import compose_digest
from processor.draft import load_draft_texts, write_draft
from processor.summary import Summary, parse_summary
from shared import crud
from shared.db import session_scope
from shared.models import Digest, stored_id
from shared.survey_data import MessageCatalog, SurveyData

logger = logging.getLogger(__name__)
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class AnalysisOutput:
    summary: Mapping[str, Any]
    xlsx_path: Path | None
    summary_path: Path | None
    # What is left to write once the summary is known (the XLSX), for the caller to run
    # while the draft renders; None when everything is written already.
    write_rest: Callable[[], object] | None = None

    def finish(self) -> None:
        """Write what is left (xlsx_path): the files are complete only after this."""
        if self.write_rest is not None:
            self.write_rest()


# analyse(engine=, campaign_code=, out_dir=, now=, survey_data=) -> AnalysisOutput
Analyse = Callable[..., AnalysisOutput]


def default_analyse(
    *, engine: Engine, campaign_code: str, out_dir: Path, now: datetime, survey_data: SurveyData
) -> AnalysisOutput:
    """The analysis (issue 4's `run_analysis`), reduced to what the digest needs. The XLSX
    is left to `finish()`, so that the draft can be rendered from the summary meanwhile."""
    from processor.analysis import run_analysis

    result = run_analysis(
        engine=engine,
        campaign_code=campaign_code,
        out_dir=out_dir,
        now=now,
        survey_data=survey_data,
        write_xlsx=False,
    )
    return AnalysisOutput(
        summary=result.summary,
        xlsx_path=result.xlsx_path,
        summary_path=result.summary_path,
        write_rest=functools.partial(result.write_xlsx, survey_data),
    )


def slot_slug(slot: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", slot).strip("-")[:48] or "digest"


@dataclass(frozen=True)
class Produced:
    digest: Digest | None  # None: this slot's digest already existed (another process)
    out_dir: Path | None
    summary: Mapping[str, Any]
    message_parts: list[dict[str, str]]


def _write_messages(
    work_dir: Path,
    summary: Summary,
    previous_summary: Mapping[str, Any] | None,
    *,
    messages: MessageCatalog,
    period_start: datetime | None,
    period_end: datetime,
) -> list[dict[str, str]]:
    """The digest message in every language, also written as ringkasan-<lang>.html."""
    previous = parse_summary(previous_summary) if previous_summary is not None else None
    message_parts = [
        {"language": lang, "text": text}
        for lang in LANGUAGES
        for text in compose_digest(
            summary,
            previous,
            language=lang,
            messages=messages,
            period_start=period_start,
            period_end=period_end,
        )
    ]
    for lang in LANGUAGES:
        (work_dir / f"ringkasan-{lang}.html").write_text(
            "\n\n---\n\n".join(p["text"] for p in message_parts if p["language"] == lang),
            encoding="utf-8",
        )
    return message_parts


def produce_digest(
    *,
    engine: Engine,
    survey_data: SurveyData,
    campaign_code: str,
    slot: str,
    out_dir: Path,
    now: datetime,
    language: str = "id",
    analyse: Analyse = default_analyse,
    record: bool = True,
    paper: str = "a4",
) -> Produced:
    """Analyse, draft and compose the digest of `slot`, store it once, add the deliveries.
    With record=False (the demo, --no-deliver) the files are written and nothing is stored."""
    with session_scope(engine) as session:
        campaign = crud.get_campaign(session=session, code=campaign_code)
        if campaign is None:
            raise crud.CampaignError(f"no campaign {campaign_code!r}")
        campaign_id = campaign.id
        assert campaign_id is not None
        existing = digest_store.digest_for_slot(session=session, campaign_id=campaign_id, slot=slot)
        if existing is not None and record:
            logger.info("Digest %s of %s exists already", slot, campaign_code)
            return Produced(None, None, existing.summary, existing.message_parts)
        previous = digest_store.latest_digest(session=session, campaign_id=campaign_id)
        previous_summary = previous.summary if previous is not None else None
        period_start = previous.period_end if previous is not None else None

    work_dir = (
        out_dir / campaign_code / f"{slot_slug(slot)}-{secrets.token_hex(3)}" if record else out_dir
    )
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        analysis = analyse(
            engine=engine,
            campaign_code=campaign_code,
            out_dir=work_dir,
            now=now,
            survey_data=survey_data,
        )
        summary = analysis.summary
        parsed = parse_summary(summary)  # once for the draft and both messages (~3 MB at 100k)
        # The draft needs only the summary: it renders in a child process while this one
        # writes the XLSX and the digest message (background.start).
        draft = background.start(
            functools.partial(
                write_draft,
                parsed,
                out_dir=work_dir,
                language=language,
                now=now,
                texts=load_draft_texts(),
                paper=paper,
            )
        )
        try:
            analysis.finish()
            message_parts = _write_messages(
                work_dir,
                parsed,
                previous_summary,
                messages=survey_data.messages,
                period_start=period_start,
                period_end=now,
            )
        except BaseException:
            draft.cancel()
            raise
        docx_path = draft.result()
        if not record:
            return Produced(None, work_dir, summary, message_parts)
        counts = summary.get("counts") or {}
        answers = int(counts.get("answers", 0))
        before = int(((previous_summary or {}).get("counts") or {}).get("answers", 0))
        digest = Digest(
            campaign_id=campaign_id,
            slot=slot,
            period_start=period_start,
            period_end=now,
            answer_count=answers,
            new_answer_count=max(0, answers - before),
            summary=json.loads(json.dumps(summary)),
            message_parts=message_parts,
            xlsx_path=str(analysis.xlsx_path.resolve()) if analysis.xlsx_path else None,
            docx_path=str(docx_path.resolve()),
            created_at=now,
        )
        with session_scope(engine) as session:
            stored = digest_store.create_digest(session=session, digest=digest)
            if stored is not None:
                digest_store.ensure_deliveries(
                    session=session, digest_id=stored_id(stored), campaign_id=campaign_id, now=now
                )
        if stored is None:
            logger.info("Another processor made digest %s of %s first", slot, campaign_code)
            shutil.rmtree(work_dir, ignore_errors=True)
            return Produced(None, None, summary, message_parts)
        return Produced(stored, work_dir, summary, message_parts)
    except BaseException:
        if record:
            shutil.rmtree(work_dir, ignore_errors=True)
        raise
