"""Data Access API web-session bodies → ``ParsedRecord(kind="web")``, one per body.

A body is ``{"com.liveperson.dataaccess.<Type>": {...}}`` in Avro-JSON (see
:mod:`loaders.avro`), an element of a file's ``recordCollection``; :mod:`loaders.web_files`
reads the files and hands each body here (:func:`parse_web_body`).

Body types and their tables:

- ``WebSessionNavigationData`` → ``web_page_view`` (one row per navigation entry);
- ``WebSessionImpressionData`` → ``web_impression`` (the Engagement, Campaign and Goal
  containers become ``engagement_*``, ``campaign_*``, ``goal_*`` columns, their lists
  JSON text);
- ``WebSessionEligibilityData`` → ``web_eligibility`` (one row per eligible campaign ×
  engagement at an assessment time; a campaign without engagements gives one row with
  NULL engagement columns);
- ``WebSessionGoalAchievedData`` → ``web_goal_achieved`` (``metadata_kind`` is the
  goalMetaData record name without namespace; the fields of every variant map onto the
  ``metadata_*`` columns by name);
- ``WebSessionEngAttrsData`` → the ``sde_*`` tables (``source = 'web_session'``), through
  the shared :func:`loaders.sde.sde_rows`; an attribute of an unknown type is rejected
  alone;
- session info and geo → the session columns of ``web_session_source``. The seed does
  not show their record names, so they are recognised generically: a body type whose
  name contains ``Geo`` or ``SessionInfo`` (any case), or any other body type whose
  payload holds at least one documented session-info or geo field (``sessionStartTime``,
  ``userAgent``, ``deviceOS``, ``deviceFamily``, ``siteControlGroup``, ``searchEngine``,
  ``searchEngineKey``, ``iPV4``, ``iPV6``, ``country``, ``countryCode``, ``state``,
  ``city``, ``org``, ``isp``), directly or in a nested record or array of records. Field
  names are matched ignoring case, spaces and underscores (``iPV4`` → ``ip_v4``).

Every body also yields one ``web_session_source`` row: the header (``visit_id``,
``visitor_id``, ``context_id``; an empty string is unknown), ``account_id`` and
``source_time`` (``metaData.accountId`` / ``startTime``), ``first_fact_time`` (the
earliest time stamp of the body's facts) and the session/geo columns. The writer merges
these rows into ``web_session``.

Fact keys: ``fact_id`` (``sde_id`` for SDE rows) is a 16-byte blake2b hex digest of the
visit id, the table and the canonical JSON (sorted keys) of the fact's source object,
unwrapped from Avro with null members dropped (:func:`avro.clean`: a newer schema's added
null fields change nothing; an achieved goal adds its metadata kind, an eligibility row
its assessment, campaign entry and engagement); a ``web_session_source`` row's source
object is the row itself. The same fact
in two files gets the same key; identical facts within a body collapse into one row.

Fields without a column go to the row's ``extra`` (grouped by container); a body of an
unknown type, or without a visit id, is a :class:`~loaders.records.Rejected`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from loaders import avro
from loaders.records import ParsedRecord, Rejected
from loaders.row_mapper import SKIP, RowMapper
from loaders.sde import UnknownSdeType, sde_kind, sde_rows
from loaders.values import (
    CastError,
    cast_bool,
    cast_epoch_ms,
    cast_or_warn,
    cast_text,
    caster_for,
    dumps,
    slow_dumps,
)
from warehouse.models import (
    WebEligibility,
    WebGoalAchieved,
    WebImpression,
    WebPageView,
    WebSessionSource,
)

if TYPE_CHECKING:
    from loaders.web_files import FileMeta

WEB_SESSION = "WebSession"
SOURCE_TABLE = "web_session_source"

# -- helpers --------------------------------------------------------------------------------------


def _raw(value: Any) -> str:
    return dumps(value)


def text_or_none(value: Any) -> str | None:
    """Header and metaData text: an empty string means unknown."""
    text = cast_text(value) if value is not None else None
    return text or None


def canonical_json(value: Any) -> bytes:
    """Canonical JSON (sorted keys) of a source object, given as :func:`avro.clean` makes it
    (unwrapped, null members dropped)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers beyond 64 bits, nesting beyond 254 levels
        return slow_dumps(value).encode()


def fact_id(visit_id: str, table: str, source: Any) -> str:
    """Key of a fact: digest of its visit, table and canonical source object."""
    # One update of the joined bytes: the same digest as updating part by part.
    data = b"\x00".join((visit_id.encode(), table.encode(), canonical_json(source)))
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _fact_ids(visit_id: str, table: str) -> Callable[[Any], str]:
    """:func:`fact_id` of the facts of one visit and table (the two encoded once)."""
    prefix = b"\x00".join((visit_id.encode(), table.encode(), b""))
    blake2b, dumps, sort = hashlib.blake2b, orjson.dumps, orjson.OPT_SORT_KEYS

    def key(source: Any) -> str:
        try:
            text = dumps(source, option=sort)
        except TypeError:  # integers beyond 64 bits
            text = canonical_json(source)
        return blake2b(prefix + text, digest_size=16).hexdigest()

    return key


def _array(value: Any) -> list:
    """The elements of an Avro array union (raw, not unwrapped); null → []."""
    name, inner = avro.branch(value)
    if isinstance(inner, list):
        return inner
    return [] if inner is None else [inner]


def _without(raw: Any, *keys: str) -> Any:
    if isinstance(raw, dict):
        return {k: v for k, v in raw.items() if k not in keys}
    return raw


@dataclass(slots=True)
class _Body:
    """The state of one body while its rows are built."""

    visit_id: str
    visitor_id: str | None
    position: str
    kind: str
    warnings: list[str] = field(default_factory=list)
    rejections: list[Rejected] = field(default_factory=list)
    tables: dict[str, list[dict]] = field(default_factory=dict)
    ids: set[tuple[str, str]] = field(default_factory=set)
    times: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # body-level fields → source row

    def add(self, table: str, row: dict, key: str = "fact_id") -> bool:
        """Add a row unless the same fact is already in this body."""
        ident = (table, row[key])
        if ident in self.ids:
            return False
        self.ids.add(ident)
        self.tables.setdefault(table, []).append(row)
        return True

    def time(self, row: dict, column: str) -> None:
        value = row.get(column)
        if value is not None:
            self.times.append(value)

    def base(self, table: str, source: Any) -> dict:
        return {
            "visit_id": self.visit_id,
            "fact_id": fact_id(self.visit_id, table, source),
            "visitor_id": self.visitor_id,
        }

    def context(self, what: str) -> str:
        # Without the position: a warning's sample is prefixed with its record's position.
        return f"{self.kind} {what}"

    def stray(self, where: str, value: Any, why: str | None = "not a record") -> None:
        """Keep what makes no row — an array entry that is not a record, an assessment
        without campaigns — in the body's ``web_session_source.extra`` under its path, as
        conversations keep theirs in ``conversation.extra``: nothing of a file is lost."""
        self.extra[where] = value
        if why is not None:
            self.warnings.append(self.context(f"{where}: {why}: kept in web_session_source.extra"))


def _finish(row: dict, extra: dict) -> dict:
    if extra:
        row["extra"] = dumps(extra)
    return row


def _plain(raw: Any) -> Any:
    return avro.unwrap(raw)


def _map_container(
    mapper: RowMapper, value: Any, row: dict, extra: dict, name: str, body: _Body, where: str
) -> None:
    """Map a (plain) record container — Engagement, Campaign, Goal — into prefixed columns."""
    if value is None:
        return
    if not isinstance(value, dict):
        extra[name] = value
        return
    sub: dict[str, Any] = {}
    mapper.map_into(value, row, sub, body.warnings, body.context(f"{where} {name}"))
    if sub:
        extra[name] = sub


# -- mappers, built once --------------------------------------------------------------------------

_NO_DEFAULTS = {"defaults": False}
_PAGE_VIEW = RowMapper(
    WebPageView,
    {
        "timestamp": "event_time",
        "url": "url",
        "referrerUrl": "referrer_url",
        "sections": "sections",
    },
    **_NO_DEFAULTS,
)
_ENGAGEMENT_FIELDS = {
    "id": "engagement_id",
    "channel": "engagement_channel",
    "type": "engagement_type",
    "visitorBehaviors": "engagement_visitor_behaviors",
    "skillId": "engagement_skill_id",
    "skillName": "engagement_skill_name",
    "surveySkills": "engagement_survey_skills",
    "isOffsiteEngagement": "engagement_is_offsite",
    "availabilityPolicy": "engagement_availability_policy",
    "interactionType": "engagement_interaction_type",
    "renderingType": "engagement_rendering_type",
}
_CAMPAIGN_FIELDS = {
    "id": "campaign_id",
    "visitorProfiles": "campaign_visitor_profiles",
    # Seed 004's Campaign table documents the Engagement container's fields (channel,
    # type, skillId, …); the examples show only id and visitorProfiles.
    **{
        key: "campaign_" + column.removeprefix("engagement_")
        for key, column in _ENGAGEMENT_FIELDS.items()
        if key != "id"
    },
}
_GOAL_FIELDS = {"id": "goal_id", "type": "goal_type", "indicatorType": "goal_indicator_type"}


@dataclass(frozen=True, slots=True)
class _ContainerMappers:
    engagement: RowMapper
    campaign: RowMapper
    goal: RowMapper


def _containers(model: Any) -> _ContainerMappers:
    return _ContainerMappers(
        RowMapper(model, _ENGAGEMENT_FIELDS, **_NO_DEFAULTS),
        RowMapper(model, _CAMPAIGN_FIELDS, **_NO_DEFAULTS),
        RowMapper(model, _GOAL_FIELDS, **_NO_DEFAULTS),
    )


_IMPRESSION = RowMapper(
    WebImpression,
    {
        "timestamp": "event_time",
        "engagementInstanceId": "engagement_instance_id",
        "impressionType": "impression_type",
        "state": "state",
        "engagement": SKIP,
        "campaign": SKIP,
        "goal": SKIP,
    },
    **_NO_DEFAULTS,
)
_IMPRESSION_CONTAINERS = _containers(WebImpression)
_ELIGIBILITY_CONTAINERS = _containers(WebEligibility)
_GOAL_ACHIEVED = RowMapper(
    WebGoalAchieved,
    {
        "id": "achieved_goal_id",
        "timestamp": "event_time",
        "campaignGoalId": "campaign_goal_id",
        "campaignGoalRevision": "campaign_goal_revision",
        "campaignGoalType": "campaign_goal_type",
        "goalMetaData": SKIP,
    },
    **_NO_DEFAULTS,
)
_GOAL_METADATA = RowMapper(
    WebGoalAchieved,
    {
        "url": "metadata_url",
        "total": "metadata_total",
        "orderId": "metadata_order_id",
        "cartStatus": "metadata_cart_status",
        "numberOfPages": "metadata_number_of_pages",
        "engagement": "metadata_engagement",
        "campaign": "metadata_campaign",
        "topic": "metadata_topic",
        "leadId": "metadata_lead_id",
        "value": "metadata_value",
        "status": "metadata_status",
        "category": "metadata_category",
        "serviceId": "metadata_service_id",
    },
    **_NO_DEFAULTS,
)


def _norm(name: str) -> str:
    return name.replace("_", "").replace(" ", "").lower()


#: Session-info and geo fields (normalised name) → web_session_source column.
SESSION_FIELDS = {
    "sessionstarttime": "session_start_time",
    "useragent": "user_agent",
    "deviceos": "device_os",
    "devicefamily": "device_family",
    "sitecontrolgroup": "site_control_group",
    "searchengine": "search_engine",
    "searchenginekey": "search_engine_key",
}
GEO_FIELDS = {
    "ipv4": "ip_v4",
    "ipv6": "ip_v6",
    "country": "country",
    "countrycode": "country_code",
    "state": "state",
    "city": "city",
    "org": "org",
    "isp": "isp",
}
_SESSION_COLUMNS = {**SESSION_FIELDS, **GEO_FIELDS}
_SOURCE_CASTERS = {
    col: caster_for(WebSessionSource.__table__.c[col]) for col in _SESSION_COLUMNS.values()
}
_HEADER_KEYS = ("visitId", "visitorId", "contextId")
_HEADER_KEY_SET = frozenset(_HEADER_KEYS)

# -- body types -----------------------------------------------------------------------------------


def _records(body: _Body, payload: dict, key: str) -> Iterator[tuple[int, str, dict]]:
    """``(index, where, plain record)`` for each element of the payload's array ``key``, cleaned
    (see :func:`avro.clean`); an element that is not a record is skipped with a warning."""
    for i, raw in enumerate(_array(payload.get(key))):
        plain = avro.clean(raw)
        where = f"{key}[{i}]"
        if isinstance(plain, dict):
            yield i, where, plain
        else:
            body.stray(where, _plain(raw))


def _navigation(body: _Body, payload: dict) -> None:
    # The per-entry work of _records, base, add and time, written out (the hot loop).
    clean, map_into, warnings, ids = avro.clean, _PAGE_VIEW.map_into, body.warnings, body.ids
    visit_id, visitor_id, kind = body.visit_id, body.visitor_id, body.kind
    key = rows = None
    for i, raw in enumerate(_array(payload.get("navigationData"))):
        entry = clean(raw)
        if not isinstance(entry, dict):
            body.stray(f"navigationData[{i}]", _plain(raw))
            continue
        if key is None:
            key = _fact_ids(visit_id, "web_page_view")
        fact = key(entry)
        row = {"visit_id": visit_id, "fact_id": fact, "visitor_id": visitor_id}
        extra: dict[str, Any] = {}
        map_into(entry, row, extra, warnings, (kind, " navigationData[", i, "]"))
        if extra:
            row["extra"] = dumps(extra)
        ident = ("web_page_view", fact)
        if ident in ids:
            continue
        ids.add(ident)
        if rows is None:
            rows = body.tables.setdefault("web_page_view", [])
        rows.append(row)
        stamp = row.get("event_time")
        if stamp is not None:
            body.times.append(stamp)


def _impressions(body: _Body, payload: dict) -> None:
    # As _navigation, with the containers of _map_container.
    clean, map_into, warnings, ids = avro.clean, _IMPRESSION.map_into, body.warnings, body.ids
    visit_id, visitor_id, kind = body.visit_id, body.visitor_id, body.kind
    containers = (
        ("engagement", _IMPRESSION_CONTAINERS.engagement.map_into),
        ("campaign", _IMPRESSION_CONTAINERS.campaign.map_into),
        ("goal", _IMPRESSION_CONTAINERS.goal.map_into),
    )
    key = rows = None
    for i, raw in enumerate(_array(payload.get("impressions"))):
        entry = clean(raw)
        if not isinstance(entry, dict):
            body.stray(f"impressions[{i}]", _plain(raw))
            continue
        if key is None:
            key = _fact_ids(visit_id, "web_impression")
        fact = key(entry)
        row = {"visit_id": visit_id, "fact_id": fact, "visitor_id": visitor_id}
        extra: dict[str, Any] = {}
        map_into(entry, row, extra, warnings, (kind, " impressions[", i, "]"))
        for name, container_into in containers:
            value = entry.get(name)
            if value is None:
                continue
            if not isinstance(value, dict):
                extra[name] = value
                continue
            sub: dict[str, Any] = {}
            where = (kind, " impressions[", i, "] ", name)
            container_into(value, row, sub, warnings, where)
            if sub:
                extra[name] = sub
        if extra:
            row["extra"] = dumps(extra)
        ident = ("web_impression", fact)
        if ident in ids:
            continue
        ids.add(ident)
        if rows is None:
            rows = body.tables.setdefault("web_impression", [])
        rows.append(row)
        stamp = row.get("event_time")
        if stamp is not None:
            body.times.append(stamp)


_ASSESSMENT_KEYS = ("eligibleCampaigns", "timestamp")
_CAMPAIGN_ENTRY_KEYS = ("campaign", "engagements", "goal", "controlGroupType")


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _eligibility(body: _Body, payload: dict) -> None:
    m = _ELIGIBILITY_CONTAINERS
    for _, where, assessment in _records(body, payload, "eligibilityData"):
        context = body.context(where)
        stamp = assessment.get("timestamp")
        warned = len(body.warnings)
        assessed = cast_or_warn(cast_epoch_ms, stamp, body.warnings, context, "timestamp")
        # An uncastable timestamp (NULL in assessment_time, with a warning) is kept in extra,
        # as other values are; an unknown one (-1, "undefined", "") is just NULL.
        uncast = len(body.warnings) > warned
        in_columns = ("eligibleCampaigns",) if uncast else _ASSESSMENT_KEYS
        assessment_extra = {k: v for k, v in assessment.items() if k not in in_columns}
        assessment_source = _without(assessment, "eligibleCampaigns")
        made = 0
        for j, entry in enumerate(_list(assessment.get("eligibleCampaigns"))):
            here = f"{where}.eligibleCampaigns[{j}]"
            if not isinstance(entry, dict):
                body.stray(here, entry)
                continue
            made += 1
            common: dict[str, Any] = {"assessment_time": assessed}
            common_extra: dict[str, Any] = {}
            if assessment_extra:
                common_extra["assessment"] = assessment_extra
            control = entry.get("controlGroupType")
            if control is not None:
                common["control_group_type"] = cast_text(control)
            campaign = entry.get("campaign")
            _map_container(m.campaign, campaign, common, common_extra, "campaign", body, here)
            _map_container(m.goal, entry.get("goal"), common, common_extra, "goal", body, here)
            others = {k: v for k, v in entry.items() if k not in _CAMPAIGN_ENTRY_KEYS}
            if others:
                common_extra["eligibleCampaign"] = others
            entry_source = _without(entry, "engagements")
            for engagement in _list(entry.get("engagements")) or [None]:
                source = {
                    "assessment": assessment_source,
                    "eligibleCampaign": entry_source,
                    "engagement": engagement,
                }
                row = body.base("web_eligibility", source)
                row.update(common)
                extra = dict(common_extra)
                _map_container(m.engagement, engagement, row, extra, "engagement", body, here)
                if body.add("web_eligibility", _finish(row, extra)):
                    body.time(row, "assessment_time")
        if not made:  # assessed and no campaign eligible (or none readable): no row says it
            strays = bool(_list(assessment.get("eligibleCampaigns")))  # kept at their paths
            body.stray(where, assessment_source if strays else assessment, None)


def _goals_achieved(body: _Body, payload: dict) -> None:
    raws = _array(payload.get("achievedGoals"))
    for i, where, goal in _records(body, payload, "achievedGoals"):
        # The metadata's record name (its kind) is only in the raw Avro union.
        raw = raws[i] if isinstance(raws[i], dict) else {}
        kind, _ = avro.branch(raw.get("goalMetaData"))
        kind = avro.short_name(kind) if kind not in avro.PRIMITIVES else None
        row = body.base("web_goal_achieved", {"goal": goal, "metadataKind": kind})
        extra: dict[str, Any] = {}
        _GOAL_ACHIEVED.map_into(goal, row, extra, body.warnings, body.context(where))
        if kind is not None:
            row["metadata_kind"] = kind
        metadata = goal.get("goalMetaData")
        if isinstance(metadata, dict):
            sub: dict[str, Any] = {}
            context = body.context(f"{where} goalMetaData")
            _GOAL_METADATA.map_into(metadata, row, sub, body.warnings, context)
            if sub:
                extra["goalMetaData"] = sub
        elif metadata is not None:
            extra["goalMetaData"] = metadata
        if body.add("web_goal_achieved", _finish(row, extra)):
            body.time(row, "event_time")


def _engagement_attributes(body: _Body, payload: dict) -> None:
    for i, raw in enumerate(_array(payload.get("engagementAttributes"))):
        position = f"{body.position}, engagementAttributes[{i}]"
        if not isinstance(raw, dict):
            reason = "engagement attribute is not a record"
            body.rejections.append(Rejected(position, reason, _raw(raw)))
            continue
        name, attributes = avro.unwrap_named(raw.get("data"))
        kind = sde_kind(name)
        if kind is None:
            what = name if name is not None else "an attribute without a record name"
            body.rejections.append(Rejected(position, f"unknown SDE type {what!r}", _raw(raw)))
            continue
        context = (body.position, " ", body.kind, " engagementAttributes[", i, "]")
        server_time = cast_or_warn(
            cast_epoch_ms, _plain(raw.get("timestamp")), body.warnings, context, "timestamp"
        )
        flag = attributes.get("isAuthenticated") if isinstance(attributes, dict) else None
        if flag is not None:
            flag = cast_or_warn(cast_bool, flag, body.warnings, context, "isAuthenticated")
        common = {
            "sde_id": fact_id(body.visit_id, kind.table, avro.clean(raw)),
            "source": "web_session",
            "visit_id": body.visit_id,
            "visitor_id": body.visitor_id,
            "is_authenticated": flag,
            "server_time": server_time,
            "original_time": None,
            "raw": _raw(raw),
        }
        try:
            rows = sde_rows(name, attributes, common, body.warnings, null_strings=False)
        except UnknownSdeType as exc:
            body.rejections.append(Rejected(position, str(exc), _raw(raw)))
            continue
        event_rows = rows.get(kind.table, [])
        if event_rows and not body.add(kind.table, event_rows[0], "sde_id"):
            continue  # the same event twice in this body: its children are already in
        for table, table_rows in rows.items():
            if table != kind.table:
                body.tables.setdefault(table, []).extend(table_rows)
        if server_time is not None:
            body.times.append(server_time)


KNOWN_BODIES = {
    "WebSessionNavigationData": ("navigationData", _navigation),
    "WebSessionImpressionData": ("impressions", _impressions),
    "WebSessionEligibilityData": ("eligibilityData", _eligibility),
    "WebSessionGoalAchievedData": ("achievedGoals", _goals_achieved),
    "WebSessionEngAttrsData": ("engagementAttributes", _engagement_attributes),
}

# -- session info and geo -------------------------------------------------------------------------


def _holds_session_fields(value: Any, depth: int = 0) -> bool:
    if isinstance(value, dict):
        return any(
            _norm(k) in _SESSION_COLUMNS or (depth < 3 and _holds_session_fields(v, depth + 1))
            for k, v in value.items()
        )
    if isinstance(value, list) and depth < 3:
        return any(_holds_session_fields(v, depth + 1) for v in value)
    return False


def is_session_body(type_name: str, payload: Any) -> bool:
    """The rule for session-info and geo bodies (see the module doc)."""
    short = _norm(avro.short_name(type_name) or "")
    if "geo" in short or "sessioninfo" in short:
        return True
    plain = _plain(_without(payload, "header"))
    return _holds_session_fields(plain)


# Field name → its session/geo column or None, for the names seen (bounded: names are data).
_COLUMN_OF_KEY: dict[str, str | None] = {}
_UNSEEN = object()


def _session_column(key: str) -> str | None:
    column = _SESSION_COLUMNS.get(_norm(key))
    if len(_COLUMN_OF_KEY) < 4096:
        _COLUMN_OF_KEY[key] = column
    return column


def _session_fields(value: Any, row: dict, body: _Body, depth: int = 0) -> Any:
    """Cast the session/geo fields found in ``value`` into ``row`` (later non-null values
    win); returns what is left over (for ``extra``), or None."""
    if isinstance(value, list) and depth < 3:
        left = [_session_fields(v, row, body, depth + 1) for v in value]
        return left if any(v is not None for v in left) else None
    if not isinstance(value, dict) or depth >= 3:
        return value
    left_over: dict[str, Any] = {}
    for key, v in value.items():
        column = _COLUMN_OF_KEY.get(key, _UNSEEN)
        if column is _UNSEEN:
            column = _session_column(key)
        if column is not None:
            if v is None:
                continue
            try:
                cast = _SOURCE_CASTERS[column](v)
            except CastError as exc:
                body.warnings.append(body.context(f"{key}: {exc}"))
                left_over[key] = v
                continue
            if cast is not None:
                row[column] = cast
        elif isinstance(v, (dict, list)):
            rest = _session_fields(v, row, body, depth + 1)
            if rest:
                left_over[key] = rest
        elif v is not None:
            left_over[key] = v
    return left_over or None


# -- the body -------------------------------------------------------------------------------------


# Record name of a body → (name without namespace, its KNOWN_BODIES entry or None, whether the
# name says session info or geo), for the names seen (bounded: names are data).
_BODY_TYPES: dict[str, tuple[str, tuple | None, bool]] = {}


def _body_type(name: str) -> tuple[str, tuple | None, bool]:
    short = avro.short_name(name) or name
    norm = _norm(short)
    found = (short, KNOWN_BODIES.get(short), "geo" in norm or "sessioninfo" in norm)
    if len(_BODY_TYPES) < 4096:
        _BODY_TYPES[name] = found
    return found


#: Where the keys of a ``recordCollection`` entry next to its ``body`` are kept in ``extra``.
ENTRY_KEYS = "recordCollection entry"


def parse_web_body(
    body: Any, meta: FileMeta, position: str, entry: dict | None = None
) -> ParsedRecord | Rejected:
    """Rows of one web-session body ``{"com.liveperson.dataaccess.<Type>": {...}}``;
    ``entry``: the keys of its ``recordCollection`` entry next to it, kept in ``extra``."""
    name, payload = avro.branch(body)
    if name is None or name in avro.PRIMITIVES or not isinstance(payload, dict):
        return Rejected(position, "web-session body is not an Avro record", _raw(body))
    short, known, named_session = _BODY_TYPES.get(name) or _body_type(name)
    header = _plain(payload.get("header"))
    header = header if isinstance(header, dict) else {}
    visit_id = header.get("visitId")
    visit_id = (visit_id or None) if type(visit_id) is str else text_or_none(visit_id)
    if visit_id is None:
        return Rejected(position, f"{short} body without a visit id", _raw(body))

    session = known is None and (named_session or is_session_body(name, payload))
    if known is None and not session:
        return Rejected(position, f"unknown web-session body type {name!r}", _raw(body))

    visitor_id = header.get("visitorId")
    visitor_id = (visitor_id or None) if type(visitor_id) is str else text_or_none(visitor_id)
    context_id = header.get("contextId")
    context_id = (context_id or None) if type(context_id) is str else text_or_none(context_id)
    state = _Body(visit_id, visitor_id, position, short)
    source_row: dict[str, Any] = {
        "visit_id": visit_id,
        "visitor_id": visitor_id,
        "context_id": context_id,
        "account_id": meta.account_id,
        "source_time": meta.start_time,
    }
    if not _HEADER_KEY_SET.issuperset(header):
        state.extra["header"] = {k: v for k, v in header.items() if k not in _HEADER_KEYS}
    if entry:
        state.stray(ENTRY_KEYS, entry, "keys next to the body")

    if known is not None:
        array_key, handler = known
        handler(state, payload)
        for key, value in payload.items():
            if key not in ("header", array_key):
                state.extra[key] = _plain(value)
    else:
        left = _session_fields(_plain(_without(payload, "header")), source_row, state)
        if left:
            state.extra.update(left)
        start = source_row.get("session_start_time")
        if start is not None:
            state.times.append(start)

    source_row["first_fact_time"] = min(state.times) if state.times else None
    if state.extra:
        source_row["extra"] = dumps(state.extra)
    content = {k: v for k, v in source_row.items() if v is not None}
    source_row["fact_id"] = fact_id(visit_id, SOURCE_TABLE, content)
    state.tables[SOURCE_TABLE] = [source_row]
    return ParsedRecord(
        kind="web",
        position=position,
        tables=state.tables,
        key=visit_id,
        warnings=state.warnings,
        rejections=state.rejections,
    )
