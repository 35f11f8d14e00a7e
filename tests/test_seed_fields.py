"""Every field the API documents has a column, of the documented type.

The field tables of the seed documents are parsed as they are: the Messaging
Interactions "Engagement Attributes" pages (000-003; 001 without pipes and
headings) and the Data Access "Web Session" page (004). Each documented field
is placed in the table the contract puts it in; its column is the field's
snake_case name unless the small, commented tables below say otherwise.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

from warehouse.models import metadata


def _seeds_dir() -> Path:
    """The seed documents: $LPWH_SEEDS_DIR, else tests/data/seeds, else ../shared/seeds."""
    repo = Path(__file__).resolve().parents[1]
    candidates = [repo / "tests" / "data" / "seeds", repo.parent / "shared" / "seeds"]
    if os.environ.get("LPWH_SEEDS_DIR"):
        candidates.insert(0, Path(os.environ["LPWH_SEEDS_DIR"]))
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(f"seed documents not found in any of {candidates}")


SEEDS = _seeds_dir()

# --- parsing -----------------------------------------------------------------------------------


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_markdown(text: str) -> list[tuple[str, str, str, bool]]:
    """(section, field, type, is_header) of every row of the pipe tables under ``###`` headings."""
    rows, section, header_next, in_table = [], None, False, False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("###"):
            section, header_next, in_table = stripped.lstrip("#").strip(), False, False
            continue
        if stripped == "**Header**":
            header_next = True
            continue
        if not stripped.startswith("|"):
            if in_table and stripped:
                header_next = in_table = False  # the Header table has ended
            continue
        cells = _cells(stripped)
        if cells[0] in ("Name", "Parameter") or set(cells[0]) <= set(":- "):
            in_table = True
            continue
        in_table = True
        rows.append((section, cells[0], cells[2] if len(cells) > 2 else "", header_next))
    return rows


def parse_messaging_markdown(text: str) -> list[tuple[str, str, str]]:
    """(sdeType, field, type) of the SDE tables of seeds 000, 002 and 003."""
    text = text.split("**JSON Example")[0]
    return [(s.split()[0], f, t) for s, f, t, _ in parse_markdown(text)]


def parse_messaging_plain(text: str) -> list[tuple[str, str, str]]:
    """(sdeType, field, type) of seed 001: tables without leading pipes, headings as plain lines."""
    lines = text.split("JSON example")[0].splitlines()
    rows, section = [], None
    for previous, line in zip([""] + lines, lines, strict=False):
        if line.startswith("Name | Description"):
            section = previous.split()[0]
            continue
        if section is None or " | " not in line or line.startswith("---"):
            continue
        cells = _cells(line)
        # A broken row ("Visitor email | alphanumeric | ||") lost its name: the type moved left.
        rows.append((section, cells[0], cells[2] if len(cells) > 2 and cells[2] else cells[1]))
    return rows


def parse_web_session(text: str) -> list[tuple[str, str, str, bool]]:
    """(section, field, type, is_header) of seed 004's record-type tables (from ``### GEO`` on)."""
    start = re.search(r"^###\s+GEO\s*$", text, re.M).start()
    return parse_markdown(text[start:])


# --- where the contract puts each field --------------------------------------------------------

SDE_TABLES = {
    "customerInfo": "sde_customer_info",
    "personalInfo": "sde_personal_info",
    "cartStatus": "sde_cart_status",
    "purchase": "sde_purchase",
    "marketingCampaignInfo": "sde_marketing_campaign_info",
    "searchContent": "sde_search_content",
    "viewedProduct": "sde_viewed_product",
    "visitorError": "sde_visitor_error",
    "lead": "sde_lead",
    "serviceActivity": "sde_service_activity",
}
PRODUCT_TABLES = {
    "sde_cart_status": "sde_cart_status_product",
    "sde_viewed_product": "sde_viewed_product_product",
    "sde_purchase": "sde_purchase_product",
}
# Fields of a product container entry: they are columns of the product child tables.
PRODUCT_FIELDS = {
    "quantity",
    "name",
    "category",
    "sku",
    "price",
    "statusInStock",
    "quantityInStock",
}
FACTS = ["web_eligibility", "web_impression"]  # both hold Engagement/Campaign/Goal containers
SESSION = ["web_session", "web_session_source"]

# 004 section -> (tables, column prefix). Engagement Attributes sections feed the sde_* tables.
WEB_SECTIONS = {
    "GEO": (SESSION, ""),
    "Navigation": (["web_page_view"], ""),
    "Session Info": (SESSION, ""),
    "EligibilityData": (["web_eligibility"], ""),
    "EligibleCampaign": (["web_eligibility"], ""),
    "Engagement": (FACTS, "engagement_"),
    "Campaign": (FACTS, "campaign_"),
    "Goal": (FACTS, "goal_"),
    "Impression": (["web_impression"], ""),
    "GoalAchieved": (["web_goal_achieved"], ""),
    "UrlGoalMetadata": (["web_goal_achieved"], "metadata_"),
    "PurchaseMetadata": (["web_goal_achieved"], "metadata_"),
    "ReduceAbandonmentGoalMetadata": (["web_goal_achieved"], "metadata_"),
    "IncreaseInteractionGoalMetadata": (["web_goal_achieved"], "metadata_"),
    "LeadMetadata": (["web_goal_achieved"], "metadata_"),
    "ServiceActivityMetaData": (["web_goal_achieved"], "metadata_"),
    "Purchase": (["sde_purchase"], ""),
    "cart": (["sde_purchase"], "cart_"),
    "productContainer": (list(PRODUCT_TABLES.values()), ""),
    "ProductContainer": (list(PRODUCT_TABLES.values()), ""),
    "product": (list(PRODUCT_TABLES.values()), ""),
    "Lead": (["sde_lead"], ""),
    "Customer Info": (["sde_customer_info"], ""),
    "Personal Info": (["sde_personal_info"], ""),
    "customerAge": (["sde_personal_info"], ""),
    "Contact": (["sde_personal_info_contact"], ""),
    "CartStatus": (["sde_cart_status"], ""),
    "ViewedProduct": (["sde_viewed_product"], ""),
    "ServiceActivity": (["sde_service_activity"], ""),
    "VisitorError": (["sde_visitor_error"], ""),
    "MarketingCampaignInfo": (["sde_marketing_campaign_info"], ""),
}
# 004 sections whose fields are parts of one column: the JSON of a list, or a DATE.
PART_SECTIONS = {
    "Visitor Behavior": [(t, "engagement_visitor_behaviors") for t in FACTS],
    "Skill": [(t, "engagement_survey_skills") for t in FACTS],
    "YMDDate": [
        ("sde_customer_info", "last_payment_date"),
        ("sde_customer_info", "registration_date"),
    ],
}
# The contract's typo rule for 004: the JSON names are camelCase as in the examples.
TYPOS = {
    "OriginatingChannel": "originatingChannel",
    "CustomerDateOfBirth": "customerDateOfBirth",
    "search Engine": "searchEngine",
    "search EngineKey": "searchEngineKey",
    "LeadMetaData": "LeadMetadata",
}

# Deliberate renames in the models: documented field -> column (any table).
RENAMES = {
    "serverTimeStamp": "server_time",
    "originalTimeStamp": "original_time",
    "iPV4": "ip_v4",
    "iPV6": "ip_v6",
    "isOffsiteEngagement": "is_offsite",  # engagement_is_offsite
    "Visitor email": "email",  # 001's broken row: the name cell holds the description
}
# Deliberate renames and containers, per table: (table, field) -> (table, column or None).
# None: the container's entries are rows of that (child) table.
PLACES = {
    ("web_page_view", "timestamp"): ("web_page_view", "event_time"),
    ("web_impression", "timestamp"): ("web_impression", "event_time"),
    ("web_goal_achieved", "timestamp"): ("web_goal_achieved", "event_time"),
    ("web_eligibility", "timestamp"): ("web_eligibility", "assessment_time"),
    ("web_goal_achieved", "id"): ("web_goal_achieved", "achieved_goal_id"),
    # goalMetaData: its kind, and its fields as metadata_* columns
    ("web_goal_achieved", "goalMetaData"): ("web_goal_achieved", "metadata_kind"),
    # one web_eligibility row per eligible campaign and engagement
    ("web_eligibility", "eligibleCampaigns"): ("web_eligibility", "campaign_id"),
    ("web_eligibility", "engagements"): ("web_eligibility", "engagement_id"),
    # Engagement, Campaign and Goal containers become engagement_*/campaign_*/goal_* columns
    **{(t, "engagement"): (t, "engagement_id") for t in FACTS},
    **{(t, "campaign"): (t, "campaign_id") for t in FACTS},
    **{(t, "goal"): (t, "goal_id") for t in FACTS},
    # a purchase's cart: cart_* columns (its products: sde_purchase_product)
    ("sde_purchase", "cart"): ("sde_purchase", "cart_total"),
    ("sde_personal_info", "contacts"): ("sde_personal_info_contact", None),
    ("sde_search_content", "keywords"): ("sde_search_content_keyword", "keyword"),
    **{(parent, "products"): (child, None) for parent, child in PRODUCT_TABLES.items()},
    **{(parent, "product"): (child, None) for parent, child in PRODUCT_TABLES.items()},
    **{(child, "product"): (child, None) for child in PRODUCT_TABLES.values()},
}
# Time fields are TIMESTAMP whatever the doc's wording (004 says "long", or "string" for
# Navigation's timestamp, which the example sends as epoch milliseconds).
TIME_FIELDS = {"serverTimeStamp", "originalTimeStamp", "timestamp", "sessionStartTime"}
# Where the revisions give a field two types, the models decide (and say why).
TYPE_DECISIONS = {
    # alphanumeric in 000-003, long in 004: text holds both ("text in both sources")
    ("sde_visitor_error", "code"): "VARCHAR",
}
# No documented field is missing and no documented type is overridden (004's Campaign table,
# which repeats the Engagement table's rows, has campaign_* columns of its own).
KNOWN_MISSING: dict[tuple[str, str], str] = {}
KNOWN_TYPE_MISMATCHES: dict[tuple[str, str], str] = {}


def snake(name: str) -> str:
    """camelCase -> snake_case, keeping acronyms together (deviceOS -> device_os)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def doc_type(raw: str, field: str) -> str | None:
    """The DuckDB type a documented type asks for; None for containers."""
    if field in TIME_FIELDS:
        return "TIMESTAMP"
    t = raw.lower().strip()
    if "v2-" in t:  # "v1- alphanumeric, v2- double": the typed (v2) column
        t = t.split("v2-", 1)[1].strip()
    if "container" in t:
        return None
    if t.startswith("array,"):  # "array, alphanumeric": a child row per element
        t = t.split(",", 1)[1].strip()
    if "epoch" in t:
        return "TIMESTAMP"
    if (t.startswith("json") and '"year"' in t) or t == "date":
        return "DATE"
    simple = {"double": "DOUBLE", "int": "INTEGER", "long": "BIGINT", "boolean": "BOOLEAN"}
    if t in simple:
        return simple[t]
    if t in ("alphanumeric", "controlgroupenum") or t.startswith("string"):
        return "VARCHAR"
    raise ValueError(f"undocumented type wording {raw!r} of {field}")


def place(table: str, prefix: str, field: str) -> tuple[str, str | None]:
    """The (table, column) that holds ``field`` of a section feeding ``table``."""
    if (table, field) in PLACES:
        return PLACES[(table, field)]
    if table in PRODUCT_TABLES and field in PRODUCT_FIELDS:
        return PRODUCT_TABLES[table], snake(field)
    return table, prefix + RENAMES.get(field, snake(field))


def documented_fields() -> list[dict]:
    """Every documented field occurrence with the table, column and type it asks for."""
    found = []

    def add(doc, section, field, raw_type, table, column, typed=True):
        found.append(
            {
                "source": f"{doc} {section}.{field}",
                "doc": doc,
                "table": table,
                "column": column,
                "type": doc_type(raw_type, field) if typed and column else None,
                "raw_type": raw_type,
            }
        )

    messaging = {
        "000": parse_messaging_markdown(_seed("000")),
        "001": parse_messaging_plain(_seed("001")),
        "002": parse_messaging_markdown(_seed("002")),
        "003": parse_messaging_markdown(_seed("003")),
    }
    for doc, rows in messaging.items():
        for sde_type, field, raw_type in rows:
            table, column = place(SDE_TABLES[sde_type], "", field)
            add(doc, sde_type, field, raw_type, table, column)

    for section, field, raw_type, is_header in parse_web_session(_seed("004")):
        section, field = TYPOS.get(section, section), TYPOS.get(field, field)
        if is_header:  # visitId, visitorId, contextId: merged into web_session
            add("004", section, field, raw_type, "web_session", snake(field))
        elif section in PART_SECTIONS:
            for table, column in PART_SECTIONS[section]:
                add("004", section, field, raw_type, table, column, typed=False)
        else:
            tables, prefix = WEB_SECTIONS[section]
            for table in tables:
                # place() may move a field to a child table (products, contacts, keywords)
                add("004", section, field, raw_type, *place(table, prefix, field))
    return found


FIELDS = documented_fields()


def _by_column() -> dict[tuple[str, str | None], list[dict]]:
    grouped = defaultdict(list)
    for entry in FIELDS:
        grouped[(entry["table"], entry["column"])].append(entry)
    return grouped


BY_COLUMN = _by_column()


def duckdb_type(column: sa.Column) -> str:
    """The DuckDB type name of a model column."""
    t = column.type
    for cls, name in [
        (sa.BigInteger, "BIGINT"),
        (sa.Integer, "INTEGER"),
        (sa.Double, "DOUBLE"),
        (sa.Boolean, "BOOLEAN"),
        (sa.DateTime, "TIMESTAMP"),
        (sa.Date, "DATE"),
        (sa.String, "VARCHAR"),
    ]:
        if isinstance(t, cls):
            return name
    raise AssertionError(f"unexpected type {t!r}")


def _param(key, marks_from):
    table, column = key
    reason = marks_from.get(key)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(table, column, marks=marks, id=f"{table}.{column or '*'}")


# --- tests -------------------------------------------------------------------------------------


def test_seed_tables_are_parsed():
    per_doc = defaultdict(set)
    for entry in FIELDS:
        per_doc[entry["doc"]].add(entry["source"].split(" ", 1)[1].split(".")[0])
    assert per_doc["000"] == set(SDE_TABLES)
    assert per_doc["001"] == set(SDE_TABLES)
    assert per_doc["002"] == {"customerInfo", "personalInfo"}
    assert per_doc["003"] == set(SDE_TABLES)
    assert per_doc["004"] >= {"GEO", "Navigation", "GoalAchieved", "MarketingCampaignInfo"}
    sources = {e["source"] for e in FIELDS}
    # rows the parsers must not lose: 001's broken email row, 004's typos, a header field
    assert "001 personalInfo.Visitor email" in sources
    assert "004 MarketingCampaignInfo.originatingChannel" in sources
    assert "004 Session Info.searchEngineKey" in sources
    assert "004 LeadMetadata.leadId" in sources
    assert "004 Navigation.contextId" in sources
    assert len(FIELDS) > 400


def test_every_004_section_is_placed():
    rows = parse_web_session(_seed("004"))
    sections = {TYPOS.get(s, s) for s, _, _, header in rows if not header}
    assert sections <= set(WEB_SECTIONS) | set(PART_SECTIONS)


@pytest.mark.parametrize(("table", "column"), [_param(k, KNOWN_MISSING) for k in BY_COLUMN])
def test_documented_field_has_a_column(table, column):
    sources = [e["source"] for e in BY_COLUMN[(table, column)]]
    assert table in metadata.tables, f"no table {table} for {sources}"
    if column is not None:
        assert column in metadata.tables[table].c, f"{table} has no column {column} for {sources}"


def _expected_type(table: str, column: str) -> str | None:
    entries = [e for e in BY_COLUMN[(table, column)] if e["type"]]
    types = {e["type"] for e in entries}
    if len(types) > 1 and "VARCHAR" in types:
        # 002 is the v1-only revision (every value alphanumeric); v1/v2 fields use the v2 type.
        if all(e["doc"] == "002" for e in entries if e["type"] == "VARCHAR"):
            types.discard("VARCHAR")
    if (table, column) in TYPE_DECISIONS:
        return TYPE_DECISIONS[(table, column)]
    assert len(types) <= 1, f"{table}.{column}: the docs disagree on its type: {entries}"
    return types.pop() if types else None


# A missing column is reported once, by test_documented_field_has_a_column.
TYPED = [
    k
    for k in BY_COLUMN
    if k[1] is not None and k not in KNOWN_MISSING and any(e["type"] for e in BY_COLUMN[k])
]


@pytest.mark.parametrize(("table", "column"), [_param(k, KNOWN_TYPE_MISMATCHES) for k in TYPED])
def test_documented_field_has_its_type(table, column):
    expected = _expected_type(table, column)
    actual = duckdb_type(metadata.tables[table].c[column])
    sources = [f"{e['source']}: {e['raw_type']}" for e in BY_COLUMN[(table, column)]]
    assert actual == expected, f"{table}.{column} is {actual}, documented {expected}: {sources}"


def test_examples_of_the_mapping():
    # A few placements spelled out, so that a mapping bug cannot hide behind the tables above.
    def places(source):
        return {(e["table"], e["column"], e["type"]) for e in FIELDS if e["source"] == source}

    assert places("003 customerInfo.balance") == {("sde_customer_info", "balance", "DOUBLE")}
    assert places("002 customerInfo.balance") == {("sde_customer_info", "balance", "VARCHAR")}
    assert places("001 customerInfo.lastPaymentDate") == {
        ("sde_customer_info", "last_payment_date", "DATE")
    }
    assert places("003 viewedProduct.quantityInStock") == {
        ("sde_viewed_product_product", "quantity_in_stock", "INTEGER")
    }
    assert places("003 viewedProduct.currency") == {("sde_viewed_product", "currency", "VARCHAR")}
    assert places("000 lead.serverTimeStamp") == {("sde_lead", "server_time", "TIMESTAMP")}
    assert places("004 GEO.iPV4") == {
        ("web_session", "ip_v4", "VARCHAR"),
        ("web_session_source", "ip_v4", "VARCHAR"),
    }
    assert places("004 Session Info.deviceOS") == {
        ("web_session", "device_os", "VARCHAR"),
        ("web_session_source", "device_os", "VARCHAR"),
    }
    assert places("004 EligibilityData.timestamp") == {
        ("web_eligibility", "assessment_time", "TIMESTAMP")
    }
    assert places("004 Engagement.isOffsiteEngagement") == {
        (t, "engagement_is_offsite", "BOOLEAN") for t in FACTS
    }
    assert places("004 customerAge.customerDateOfBirth") == {
        ("sde_personal_info", "customer_date_of_birth", "INTEGER")
    }
    assert places("004 PurchaseMetadata.cartStatus") == {
        ("web_goal_achieved", "metadata_cart_status", None)
    }
    assert places("004 cart.numItems") == {("sde_purchase", "cart_num_items", "INTEGER")}
    assert places("004 Contact.email") == {("sde_personal_info_contact", "email", "VARCHAR")}
