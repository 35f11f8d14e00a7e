"""One Messaging Interactions API conversation record → typed rows of every conversation table.

:func:`iter_conversation_records` finds the records in a top-level JSON value (a response
page or a bare record); :func:`parse_conversation` turns one record into a
:class:`~loaders.records.ParsedRecord` (or a :class:`~loaders.records.Rejected` when it has
no conversation id). Sections map to tables as the contract says; key names of every API
revision are accepted (``consumerParticipant``/``consumerParticipants``, ``messageScore``/
``messageScores``, …). Whatever has no column is kept in the ``extra`` JSON of the row it
belongs to (a whole unknown section in ``conversation.extra`` under its key), SDE events
keep their original text in ``raw``, and an SDE event of unknown type is rejected alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import DateTime

from loaders.records import ParsedRecord, Rejected
from loaders.row_mapper import SKIP, RowMapper
from loaders.sde import SDE_BODY_KEYS, sde_kind, sde_rows
from loaders.values import (
    NULL_STRINGS,
    CastError,
    cast_bool,
    cast_epoch_ms,
    cast_json_null_strings,
    cast_or_warn,
    cast_text,
    cast_text_null_strings,
    context_text,
    dumps,
    epoch_or_warn,
    slow_dumps,
)
from warehouse.models import (
    AgentSurvey,
    AgentSurveyAnswer,
    CobrowseSession,
    Conversation,
    ConversationIntent,
    Dialog,
    Interaction,
    Message,
    MessageIntent,
    MessageScore,
    MessageStatus,
    Participant,
    SurveyAnswer,
    Transfer,
    metadata,
)

SOURCE = "conversation"


def iter_conversation_records(obj: Any, position: str) -> Iterator[tuple[str, dict]]:
    """The records of one top-level JSON value, each with its position.

    A response page (``{"_metadata", "conversationHistoryRecords": [...]}``) yields each
    record as ``"<position>, record <n>"`` (1-based); a bare record yields itself; a JSON
    array yields the records of each of its items.
    """
    if isinstance(obj, dict):
        records = obj.get("conversationHistoryRecords")
        if records is None and "conversationHistoryRecords" not in obj:
            yield position, obj
            return
        for n, record in enumerate(records if isinstance(records, list) else [records], 1):
            yield f"{position}, record {n}", record
    elif isinstance(obj, list):
        for n, item in enumerate(obj, 1):
            yield from iter_conversation_records(item, f"{position}, item {n}")
    else:
        yield position, obj


# -- mappers, built once ------------------------------------------------------------------------

_KEY = ("conversation_id",)
_CONVERSATION_SECTIONS = {
    "info": RowMapper(Conversation, null_strings=True),
    "campaign": RowMapper(Conversation, null_strings=True),
    "monitoring": RowMapper(Conversation, prefix="monitoring_", null_strings=True),
    "responseTime": RowMapper(Conversation, null_strings=True),
    "summary": RowMapper(Conversation, prefix="summary_", null_strings=True),
}
_AGENT = RowMapper(Participant, null_strings=True, exclude=(*_KEY, "participant_type", "ordinal"))
_CONSUMER = RowMapper(
    Participant, {"role": SKIP}, null_strings=True, exclude=(*_KEY, "participant_type", "ordinal")
)
_MESSAGE = RowMapper(
    Message,
    {"messageData": SKIP, "contextData": SKIP, "messageId": SKIP},
    null_strings=True,
    exclude=(*_KEY, "text", "rich_content", "quick_replies"),
)
_MESSAGE_INTENT = RowMapper(
    MessageIntent,
    {"id": "intent_id"},
    null_strings=True,
    exclude=(*_KEY, "message_id", "ordinal"),
)
_ORDINAL = (*_KEY, "ordinal")
_STATUS = RowMapper(MessageStatus, null_strings=True, exclude=_ORDINAL)
_SCORE = RowMapper(MessageScore, null_strings=True, exclude=_ORDINAL)
_TRANSFER = RowMapper(Transfer, {"by": "transferred_by"}, null_strings=True, exclude=_ORDINAL)
_INTERACTION = RowMapper(Interaction, null_strings=True, exclude=_ORDINAL)
_SURVEY = RowMapper(
    SurveyAnswer,
    {"surveyData": SKIP},
    null_strings=True,
    exclude=(*_KEY, "survey_index", "answer_index", "question", "answer"),
)
_SURVEY_ANSWER = RowMapper(
    SurveyAnswer, null_strings=True, exclude=(*_KEY, "survey_index", "answer_index")
)
_COBROWSE = RowMapper(CobrowseSession, {"sessionId": SKIP}, null_strings=True, exclude=_KEY)
_DIALOG = RowMapper(Dialog, {"dialogId": SKIP}, null_strings=True, exclude=_KEY)
_CLASSIFICATION = RowMapper(
    ConversationIntent,
    null_strings=True,
    exclude=(*_KEY, "intent_index", "classification_index", "is_selected"),
)
_AGENT_SURVEY = RowMapper(
    AgentSurvey,
    {"submittedAnswers": SKIP},
    null_strings=True,
    exclude=(*_KEY, "survey_index", "is_latest"),
)
_QUESTION = RowMapper(
    AgentSurveyAnswer,
    {"answers": SKIP},
    null_strings=True,
    exclude=(*_KEY, "survey_index", "question_index", "answer_index", "answer", "answer_id"),
)
_ANSWER = RowMapper(
    AgentSurveyAnswer,
    null_strings=True,
    exclude=(*_KEY, "survey_index", "question_index", "answer_index"),
)

# Timestamp columns of every table: the record's version is the latest value among them.
_TS_COLUMNS = {
    t.name: tuple(c.name for c in t.columns if isinstance(c.type, DateTime))
    for t in metadata.tables.values()
}
#: Time stamps that are not when something happened: the version itself, and a deadline.
#: ``responseTime.latestEffectiveResponseDueTime`` is when an answer is due, often later
#: than anything else in the record and the same in the OPEN and the CLOSED snapshot (the
#: published sample's is eight months after its conversation): counted, it made the two
#: versions equal, and the OPEN snapshot could replace the CLOSED one (oracle audit).
VERSIONLESS_TS = frozenset({"record_version", "latest_effective_response_due_time"})
#: Per table, the timestamp columns that count in the version.
_VERSION_TS = {
    name: tuple(c for c in columns if c not in VERSIONLESS_TS)
    for name, columns in _TS_COLUMNS.items()
}

_text = cast_text_null_strings
_json = cast_json_null_strings

#: The parts of ``messageData`` with a column: part → (column, key of the content, caster).
_MESSAGE_PARTS = {
    "msg": ("text", "text", _text),
    "richContent": ("rich_content", "content", _json),
    "quickReplies": ("quick_replies", "content", _json),
}


# -- one record --------------------------------------------------------------------------------


def parse_conversation(record: Any, position: str) -> ParsedRecord | Rejected:
    """Rows of one conversation record, or a :class:`Rejected` when it has no conversation id
    (or is not a JSON object)."""
    if not isinstance(record, dict):
        return Rejected(position, "not a conversation record (JSON object expected)", dumps(record))
    cid = _conversation_id(record)
    if cid is None:
        return Rejected(position, "conversation record without a conversationId", dumps(record))
    try:
        return _Parser(record, cid, position).parse()
    except Exception as exc:  # noqa: BLE001 - no record may stop the load; it is rejected instead
        return Rejected(
            position,
            f"conversation {cid}: cannot parse: {type(exc).__name__}: {exc}",
            dumps(record),
        )


def _conversation_id(record: dict) -> str | None:
    info = record.get("info")
    cid = info.get("conversationId") if isinstance(info, dict) else None
    if cid is None:
        cid = record.get("conversationId")
    if isinstance(cid, int | float) and not isinstance(cid, bool):
        cid = cast_text(cid)
    if not isinstance(cid, str) or not cid.strip() or cid in ("undefined", "null"):
        return None
    return cid


def record_digest(record: dict) -> str:
    """Digest of the record's canonical JSON (sorted keys): equal content, equal digest.
    (The JSON text the warehouse keeps of a record, ``raw`` and ``extra``, has its keys
    sorted too: records equal but for key order leave the same text, in any order.)"""
    try:
        data = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        data = slow_dumps(record).encode()
    # SHA-1 (hardware-accelerated here) is a content digest, not a security measure.
    return hashlib.sha1(data).hexdigest()


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


class _Parser:
    """The state of parsing one record: its rows, warnings and rejections."""

    def __init__(self, record: dict, cid: str, position: str) -> None:
        self.record = record
        self.cid = cid
        self.position = position
        self.context = f"conversation {cid}"
        self.warnings: list[str] = []
        self.rejections: list[Rejected] = []
        self.tables: dict[str, list[dict]] = {}
        self.conv_row: dict[str, Any] = {"conversation_id": cid}
        self.conv_extra: dict[str, Any] = {}
        self.participants = {"AGENT": 0, "CONSUMER": 0}
        self.messages: dict[str, tuple[dict, dict, list[dict], list]] = {}
        self.dialogs: dict[str, tuple[dict, dict, list]] = {}
        self.sessions: dict[str, tuple[dict, dict, list]] = {}
        self.surveys = 0
        self.intents = 0
        self.event_times: list[int] = []

    # -- driver ---------------------------------------------------------------------------------

    def parse(self) -> ParsedRecord:
        for key, value in self.record.items():
            handler = _DISPATCH.get(key) or _DISPATCH_LOWER.get(key.lower())
            if handler is None:
                self.conv_extra[key] = value
            else:
                handler[0](self, key, value, *handler[1])
        self._flush_keyed()
        conv = self.conv_row
        if self.conv_extra:
            conv["extra"] = dumps(self.conv_extra)
        self.tables["conversation"] = [conv]
        return ParsedRecord(
            kind="conversation",
            position=self.position,
            tables=self.tables,
            key=self.cid,
            version=self._version(),
            digest=record_digest(self.record),
            warnings=self.warnings,
            rejections=self.rejections,
        )

    def _version(self) -> int | None:
        # Every timestamp in one list, one max: all are int epoch ms (cast_epoch_ms), so
        # the order of comparison does not matter, and one comprehension costs less than
        # a max per column (most tables of a record have a single row).
        times = [
            v
            for name, rows in self.tables.items()
            for column in _VERSION_TS[name]
            for row in rows
            if (v := row.get(column)) is not None
        ]
        times.extend(self.event_times)
        return max(times, default=None)

    def _add(self, table: str, row: dict) -> None:
        rows = self.tables.get(table)
        if rows is None:
            self.tables[table] = [row]
        else:
            rows.append(row)

    def _entries(self, key: str, value: Any) -> list:
        """The entries of a list section; a lone object counts as one entry."""
        if value is None:
            return []
        if isinstance(value, list):
            return value
        if isinstance(value, dict):
            return [value]
        self.warnings.append(f"{self.context}: {key}: not a list: kept in conversation.extra")
        self.conv_extra[key] = value
        return []

    def _stray(self, key: str, index: int, value: Any) -> None:
        self.warnings.append(
            f"{self.context}: {key}[{index}]: not an object: kept in conversation.extra"
        )
        self.conv_extra[f"{key}[{index}]"] = value

    def _keep_extra(self, key: str, value: Any) -> None:
        # A second section with the same role (e.g. a legacy and a current key) must not
        # overwrite what the first one left in extra.
        if key in self.conv_extra:
            key = f"{key}#{sum(1 for k in self.conv_extra if k.startswith(key))}"
        self.conv_extra[key] = value

    # -- conversation sections -------------------------------------------------------------------

    def conversation_section(self, key: str, value: Any, mapper_key: str) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            self.warnings.append(f"{self.context}: {key}: not an object: kept in extra")
            self._keep_extra(key, value)
            return
        extra: dict[str, Any] = {}
        _CONVERSATION_SECTIONS[mapper_key].map_into(
            value, self.conv_row, extra, self.warnings, f"{self.context} {key}"
        )
        if extra:
            self._keep_extra(key, extra)

    def top_level_id(self, key: str, value: Any) -> None:
        if value is not None and cast_text(value) != self.cid:
            self._keep_extra(key, value)

    # -- participants --------------------------------------------------------------------------

    def participants_section(self, key: str, value: Any, ptype: str) -> None:
        mapper = _AGENT if ptype == "AGENT" else _CONSUMER
        for i, entry in enumerate(self._entries(key, value)):
            if not isinstance(entry, dict):
                self._stray(key, i, entry)
                continue
            ordinal = self.participants[ptype]
            self.participants[ptype] = ordinal + 1
            row = {"conversation_id": self.cid, "participant_type": ptype, "ordinal": ordinal}
            extra: dict[str, Any] = {}
            mapper.map_into(entry, row, extra, self.warnings, (self.context, " ", key, "[", i, "]"))
            if ptype == "AGENT":
                if row.get("agent_id") is not None:
                    row.setdefault("participant_id", row["agent_id"])
            else:
                role = entry.get("role")
                if role is not None and role != "CONSUMER":
                    extra["role"] = role
                row["role"] = "CONSUMER"
            self._add("participant", mapper.finish(row, extra))

    # -- messages ------------------------------------------------------------------------------

    def messages_section(self, key: str, value: Any) -> None:
        for i, entry in enumerate(self._entries(key, value)):
            if not isinstance(entry, dict):
                self._stray(key, i, entry)
                continue
            where = (self.context, " ", key, "[", i, "]")  # spelt out only for a warning
            mid = entry.get("messageId")
            if type(mid) is str:
                if mid in NULL_STRINGS:
                    mid = None
            else:
                mid = _text(mid)
            if mid is None:
                mid = f"#{i}"
                self.warnings.append(f"{context_text(where)}: no messageId: stored as {mid!r}")
            row: dict[str, Any] = {"conversation_id": self.cid, "message_id": mid}
            extra: dict[str, Any] = {}
            _MESSAGE.map_into(entry, row, extra, self.warnings, where)
            data = entry.get("messageData")
            if data is not None:
                self._message_data(data, row, extra)
            intents: list[dict] = []
            context = entry.get("contextData")
            if context is not None:
                self._message_context(context, row, extra, intents, mid, where)
            if mid in self.messages:
                self._keep_last(self.messages, "message", mid, (row, extra, intents), entry, where)
            else:  # _keep_last's first sighting, inlined (this runs for every message)
                self.messages[mid] = (row, extra, intents, [entry])

    @staticmethod
    def _message_data(data: Any, row: dict, extra: dict) -> None:
        if not isinstance(data, dict):
            extra["messageData"] = data
            return
        left: dict[str, Any] = {}
        for part, value in data.items():
            spec = _MESSAGE_PARTS.get(part)
            if spec is None or not isinstance(value, dict):
                left[part] = value
                continue
            column, inner, cast = spec
            content = value.get(inner)
            if content is not None:
                content = cast(content)
                if content is not None:
                    row[column] = content
            if len(value) > (inner in value):
                left[part] = {k: v for k, v in value.items() if k != inner}
        if left:
            extra["messageData"] = left

    def _message_context(
        self, context: Any, row: dict, extra: dict, intents: list, mid: str, where: tuple
    ) -> None:
        if not isinstance(context, dict):
            extra["contextData"] = context
            return
        left: dict[str, Any] = {}
        for part, value in context.items():
            if part == "rawMetadata":
                if value is not None:
                    row["context_raw_metadata"] = _json(value)
            elif part == "structuredMetadata":
                if value is not None:
                    row["context_structured_metadata"] = _json(value)
                    self._message_intents(value, intents, mid, where)
            else:
                left[part] = value
        if left:
            extra["contextData"] = left

    def _message_intents(self, metadata: Any, intents: list, mid: str, where: tuple) -> None:
        for entry in _as_list(metadata):
            response = entry.get("botResponse") if isinstance(entry, dict) else None
            if not isinstance(response, dict):
                continue
            external = _text(response.get("externalConversationId"))
            cases = response.get("businessCases")
            cases = _json(cases) if cases is not None else None
            for intent in _as_list(response.get("intents")):
                row = {
                    "conversation_id": self.cid,
                    "message_id": mid,
                    "ordinal": len(intents),
                    "external_conversation_id": external,
                    "business_cases": cases,
                }
                extra: dict[str, Any] = {}
                if isinstance(intent, dict):
                    _MESSAGE_INTENT.map_into(intent, row, extra, self.warnings, where)
                else:
                    extra["value"] = intent
                intents.append(_MESSAGE_INTENT.finish(row, extra))

    def _keep_last(self, store: dict, what: str, key: str, item: tuple, src: Any, where: tuple):
        # The same natural key twice in one record: the last entry wins, and the earlier
        # ones stay in its extra so that nothing is lost.
        previous = store.get(key)
        replaced = [src]
        if previous is not None:
            self.warnings.append(
                f"{context_text(where)}: duplicate {what} {key!r}: the last one is kept"
            )
            replaced = previous[-1] + replaced
        store[key] = (*item, replaced)

    def _flush_keyed(self) -> None:
        if self.messages:
            messages = self.tables.setdefault("message", [])
            for row, extra, intents, replaced in self.messages.values():
                if len(replaced) > 1:
                    extra["_replaced"] = replaced[:-1]
                messages.append(_MESSAGE.finish(row, extra))
                if intents:
                    self.tables.setdefault("message_intent", []).extend(intents)
        for table, mapper, store in (
            ("dialog", _DIALOG, self.dialogs),
            ("cobrowse_session", _COBROWSE, self.sessions),
        ):
            for row, extra, replaced in store.values():
                if len(replaced) > 1:
                    extra["_replaced"] = replaced[:-1]
                self._add(table, mapper.finish(row, extra))

    # -- simple child lists -----------------------------------------------------------------------

    def ordinal_section(self, key: str, value: Any, table: str, mapper: RowMapper) -> None:
        # The hottest section (message statuses and scores): map_into and finish inlined.
        rows = self.tables.get(table)
        cid, context, warnings = self.cid, self.context, self.warnings
        map_into, has_extra = mapper.map_into, mapper.has_extra
        for i, entry in enumerate(self._entries(key, value)):
            if not isinstance(entry, dict):
                self._stray(key, i, entry)
                continue
            if rows is None:
                rows = self.tables[table] = []
            row = {"conversation_id": cid, "ordinal": len(rows)}
            extra: dict[str, Any] = {}
            map_into(entry, row, extra, warnings, (context, " ", key, "[", i, "]"))
            if extra and has_extra:
                row["extra"] = dumps(extra)
            rows.append(row)

    def keyed_section(self, key: str, value: Any, what: str) -> None:
        if what == "dialog":
            id_key, column, mapper, store = "dialogId", "dialog_id", _DIALOG, self.dialogs
        else:
            id_key, column, mapper, store = "sessionId", "session_id", _COBROWSE, self.sessions
            if isinstance(value, dict) and "coBrowseSessionsList" in value:
                left = {k: v for k, v in value.items() if k != "coBrowseSessionsList"}
                if left:
                    self._keep_extra(key, left)
                value = value["coBrowseSessionsList"]
        for i, entry in enumerate(self._entries(key, value)):
            if not isinstance(entry, dict):
                self._stray(key, i, entry)
                continue
            where = (self.context, " ", key, "[", i, "]")
            natural = _text(entry.get(id_key))
            if natural is None:
                natural = f"#{i}"
                self.warnings.append(f"{context_text(where)}: no {id_key}: stored as {natural!r}")
            row: dict[str, Any] = {"conversation_id": self.cid, column: natural}
            extra: dict[str, Any] = {}
            mapper.map_into(entry, row, extra, self.warnings, where)
            self._keep_last(store, what, natural, (row, extra), entry, where)

    # -- surveys -------------------------------------------------------------------------------

    def surveys_section(self, key: str, value: Any) -> None:
        for i, survey in enumerate(self._entries(key, value)):
            if not isinstance(survey, dict):
                self._stray(key, i, survey)
                continue
            where = (self.context, " ", key, "[", i, "]")
            index = self.surveys
            self.surveys += 1
            base: dict[str, Any] = {"conversation_id": self.cid, "survey_index": index}
            survey_extra: dict[str, Any] = {}
            _SURVEY.map_into(survey, base, survey_extra, self.warnings, where)
            data = survey.get("surveyData")
            answers = _as_list(data)
            if not answers:
                if data is not None and not isinstance(data, list):
                    survey_extra["surveyData"] = data
                row = {**base, "answer_index": 0}
                self._add("survey_answer", _SURVEY.finish(row, dict(survey_extra)))
            for n, qa in enumerate(answers):
                row = {**base, "answer_index": n}
                extra = dict(survey_extra)
                if isinstance(qa, dict):
                    _SURVEY_ANSWER.map_into(qa, row, extra, self.warnings, where)
                elif qa is not None:
                    extra["value"] = qa
                self._add("survey_answer", _SURVEY_ANSWER.finish(row, extra))

    def intents_section(self, key: str, value: Any) -> None:
        for i, entry in enumerate(self._entries(key, value)):
            if not isinstance(entry, dict):
                self._stray(key, i, entry)
                continue
            where = (self.context, " ", key, "[", i, "]")
            index = self.intents
            self.intents += 1
            message_id = _text(entry.get("messageId"))
            left = {
                k: v
                for k, v in entry.items()
                if k not in ("selectedClassification", "allClassifications", "messageId")
            }
            classifications: list[tuple[int, Any]] = []
            selected = entry.get("selectedClassification")
            if isinstance(selected, dict):
                classifications.append((0, selected))
            elif selected is not None:
                left["selectedClassification"] = selected
            for n, c in enumerate(_as_list(entry.get("allClassifications")), 1):
                classifications.append((n, c))
            if not classifications:
                classifications.append((0, None))
            for n, c in classifications:
                row = {
                    "conversation_id": self.cid,
                    "intent_index": index,
                    "classification_index": n,
                    "is_selected": n == 0 and c is not None,
                    "message_id": message_id,
                }
                extra = dict(left)
                if isinstance(c, dict):
                    _CLASSIFICATION.map_into(c, row, extra, self.warnings, where)
                elif c is not None:
                    extra["value"] = c
                self._add("conversation_intent", _CLASSIFICATION.finish(row, extra))

    def agent_surveys_section(self, key: str, value: Any, latest: bool) -> None:
        if latest:
            if value is None:
                return
            if not isinstance(value, dict):
                self._stray(key, 0, value)
                return
            self._agent_survey(value, 0, True, f"{self.context} {key}")
            return
        for i, survey in enumerate(self._entries(key, value)):
            if not isinstance(survey, dict):
                self._stray(key, i, survey)
                continue
            self._agent_survey(survey, i + 1, False, f"{self.context} {key}[{i}]")

    def _agent_survey(self, survey: dict, index: int, latest: bool, where: str) -> None:
        base = {"conversation_id": self.cid, "survey_index": index}
        row: dict[str, Any] = {**base, "is_latest": latest}
        extra: dict[str, Any] = {}
        _AGENT_SURVEY.map_into(survey, row, extra, self.warnings, where)
        submitted = survey.get("submittedAnswers")
        if submitted is not None and not isinstance(submitted, list | dict):
            extra["submittedAnswers"] = submitted
            submitted = None
        self._add("agent_survey", _AGENT_SURVEY.finish(row, extra))
        for q, question in enumerate(_as_list(submitted)):
            qrow: dict[str, Any] = {**base, "question_index": q}
            qextra: dict[str, Any] = {}
            if isinstance(question, dict):
                _QUESTION.map_into(question, qrow, qextra, self.warnings, where)
                answers = question.get("answers")
            else:
                qextra["value"] = question
                answers = None
            answer_list = _as_list(answers)
            if not answer_list:
                if answers is not None and not isinstance(answers, list):
                    qextra["answers"] = answers
                self._add(
                    "agent_survey_answer",
                    _QUESTION.finish({**qrow, "answer_index": 0}, qextra),
                )
            for a, answer in enumerate(answer_list):
                arow = {**qrow, "answer_index": a}
                aextra = dict(qextra)
                if isinstance(answer, dict):
                    _ANSWER.map_into(answer, arow, aextra, self.warnings, where)
                elif answer is not None:
                    aextra["value"] = answer
                self._add("agent_survey_answer", _ANSWER.finish(arow, aextra))

    # -- engagement attributes ---------------------------------------------------------------------

    def sdes_section(self, key: str, value: Any, authenticated: bool) -> None:
        if isinstance(value, dict):
            events = value.get("events")
            left = {k: v for k, v in value.items() if k != "events"}
            if left:
                self._keep_extra(key, left)
        else:
            events = value
        section = "auth" if authenticated else "unauth"
        for i, event in enumerate(self._entries(key, events) if events is not None else ()):
            self._sde_event(key, section, i, event, authenticated)

    def _sde_event(self, key: str, section: str, i: int, event: Any, authenticated: bool):
        if not isinstance(event, dict):
            where = f"{self.position}, {key}.events[{i}]"
            self.rejections.append(Rejected(where, "SDE event is not a JSON object", dumps(event)))
            return
        sde_type = event.get("sdeType")
        kind = sde_kind(sde_type)
        if kind is None or kind.body_key not in event:
            found = next((SDE_BODY_KEYS[k] for k in event if k in SDE_BODY_KEYS), None)
            if kind is None and found is None:
                reason = (
                    "SDE event without sdeType"
                    if sde_type is None
                    else f"SDE event of unknown sdeType {sde_type!r}"
                )
                where = f"{self.position}, {key}.events[{i}] ({self.context})"
                self.rejections.append(Rejected(where, reason, dumps(event)))
                self._rejected_event_times(event)
                return
            if found is not None and found is not kind:
                if sde_type is not None:
                    self.warnings.append(
                        f"{self.context}: {key}.events[{i}]: sdeType {sde_type!r} but body "
                        f"{found.body_key!r}: loaded as {found.sde_type}"
                    )
                kind = found
        body = event.get(kind.body_key)
        attributes: Any = body
        if isinstance(body, dict):
            inner = body.get(kind.body_key)
            if isinstance(inner, dict):
                # One level deeper under the same name (customerInfo.customerInfo): the
                # inner object's fields win over the outer one's (time stamps, flag).
                attributes = {k: v for k, v in body.items() if k != kind.body_key}
                attributes.update(inner)
        elif body is None:
            self.warnings.append(
                f"{self.context}: {key}.events[{i}]: no {kind.body_key!r} body: kept in raw"
            )
            attributes = {}
        sde_id = f"{self.cid}:{section}:{i}"
        ctx = (self.context, " ", key, ".events[", i, "]")
        flag = event.get("isAuthenticated")
        if flag is None:
            flag = authenticated
        elif type(flag) is not bool:
            flag = cast_or_warn(cast_bool, flag, self.warnings, ctx, "isAuthenticated")
        common: dict[str, Any] = {
            "sde_id": sde_id,
            "source": SOURCE,
            "conversation_id": self.cid,
            "is_authenticated": authenticated if flag is None else flag,
            "raw": dumps(event),
        }
        v = event.get("serverTimeStamp")
        if v is not None:
            v = epoch_or_warn(v, self.warnings, ctx, "serverTimeStamp")
            if v is not None:
                common["server_time"] = v
                self.event_times.append(v)
        v = event.get("originalTimeStamp")
        if v is not None:
            v = epoch_or_warn(v, self.warnings, ctx, "originalTimeStamp")
            if v is not None:
                common["original_time"] = v
                self.event_times.append(v)
        tables = self.tables
        for table, rows in sde_rows(
            kind.sde_type, attributes, common, self.warnings, null_strings=True
        ).items():
            existing = tables.get(table)
            if existing is None:
                tables[table] = rows
            else:
                existing.extend(rows)

    def _rejected_event_times(self, event: dict) -> None:
        """An event rejected alone is still part of the record: its documented time stamps
        count in the record's version (no warning: the event is in load_rejection)."""
        for name in ("serverTimeStamp", "originalTimeStamp"):
            value = event.get(name)
            if value is None:
                continue
            try:
                time = cast_epoch_ms(value)
            except CastError:
                continue
            if time is not None:
                self.event_times.append(time)


_HANDLERS: dict[str, tuple] = {
    "info": (_Parser.conversation_section, "info"),
    "campaign": (_Parser.conversation_section, "campaign"),
    "monitoring": (_Parser.conversation_section, "monitoring"),
    "responseTime": (_Parser.conversation_section, "responseTime"),
    "summary": (_Parser.conversation_section, "summary"),
    "conversationId": (_Parser.top_level_id,),
    "messageRecords": (_Parser.messages_section,),
    "messageRecord": (_Parser.messages_section,),
    "agentParticipants": (_Parser.participants_section, "AGENT"),
    "agentParticipant": (_Parser.participants_section, "AGENT"),
    "consumerParticipants": (_Parser.participants_section, "CONSUMER"),
    "consumerParticipant": (_Parser.participants_section, "CONSUMER"),
    "messageStatuses": (_Parser.ordinal_section, "message_status", _STATUS),
    "messageStatus": (_Parser.ordinal_section, "message_status", _STATUS),
    "messageScores": (_Parser.ordinal_section, "message_score", _SCORE),
    "messageScore": (_Parser.ordinal_section, "message_score", _SCORE),
    "transfers": (_Parser.ordinal_section, "transfer", _TRANSFER),
    "transfer": (_Parser.ordinal_section, "transfer", _TRANSFER),
    "interactions": (_Parser.ordinal_section, "interaction", _INTERACTION),
    "interaction": (_Parser.ordinal_section, "interaction", _INTERACTION),
    "conversationSurveys": (_Parser.surveys_section,),
    "conversationSurvey": (_Parser.surveys_section,),
    "coBrowseSessions": (_Parser.keyed_section, "cobrowse session"),
    "coBrowseSession": (_Parser.keyed_section, "cobrowse session"),
    "coBrowseSessionsList": (_Parser.keyed_section, "cobrowse session"),
    "dialogs": (_Parser.keyed_section, "dialog"),
    "dialog": (_Parser.keyed_section, "dialog"),
    "intents": (_Parser.intents_section,),
    "intent": (_Parser.intents_section,),
    "latestAgentSurvey": (_Parser.agent_surveys_section, True),
    "previouslySubmittedAgentSurveys": (_Parser.agent_surveys_section, False),
    "previouslySubmittedAgentSurvey": (_Parser.agent_surveys_section, False),
    "sdes": (_Parser.sdes_section, True),
    "authSdes": (_Parser.sdes_section, True),
    "unAuthSdes": (_Parser.sdes_section, False),
}
# Case-insensitive fallback for key spellings not listed above (e.g. "unauthSdes").
_HANDLERS_LOWER = {k.lower(): v for k, v in _HANDLERS.items()}
# The same as (method, extra arguments), split once rather than for every section.
_DISPATCH = {k: (v[0], v[1:]) for k, v in _HANDLERS.items()}
_DISPATCH_LOWER = {k: (v[0], v[1:]) for k, v in _HANDLERS_LOWER.items()}
