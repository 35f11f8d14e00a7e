"""Synthetic Data Access API web-session data, Avro-JSON encoded exactly like seed 004.

Every nullable value is a union branch (``{"string": …}``, ``{"long": …}``,
``{"array": […]}``, ``{"com.liveperson.dataaccess.Campaign": {…}}``) or ``null``; each
body is ``{"com.liveperson.dataaccess.WebSession…Data": {"header": …, <payload>}}``.

A visit produces: session info (``WebSessionSessionInfoData``, payload ``sessionInfo``),
geo (``WebSessionGeoData``, payload ``geoData``), navigation (many page views),
eligibility, impressions (Show/Accept/Close/Timeout in mixed case), achieved goals (every
goal-metadata kind) and engagement attributes (all ten types). Visits span files: a
visit's later page views, a repeat of some facts (the same content again) and a second
view of its session info and geo (some values null, some changed) go to the next file.

Each visit is built from its own ``random.Random`` seeded by ``(seed, index)``.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.gen_conversations import DEFAULT_START_MS
from bench.gen_sdes import (
    AFFILIATES,
    CUSTOMER_STATUSES,
    CUSTOMER_TYPES,
    ERRORS,
    KEYWORDS,
    LEAD_TOPICS,
    PRODUCTS,
    SERVICE_TOPICS,
)

NS = "com.liveperson.dataaccess."
ACCOUNT_ID = "81665372"
HOUR_MS = 3_600_000

PAGES = [
    ("https://brand.example/", ["home"]),
    ("https://brand.example/shop/shoes", ["shop", "shoes"]),
    ("https://brand.example/shop/accessories", ["shop", "accessories"]),
    ("https://brand.example/product/xyz567", ["shop", "product"]),
    ("https://brand.example/product/run101", ["shop", "product"]),
    ("https://brand.example/cart", ["checkout"]),
    ("https://brand.example/checkout/payment", ["checkout", "payment"]),
    ("https://brand.example/checkout/thank-you", ["checkout"]),
    ("https://brand.example/help/returns", ["help"]),
    ("https://brand.example/login.html", ["loginPages"]),
]
SEARCH_ENGINES = [
    ("Google", "red shoes sale"),
    ("Bing", "brand store"),
    ("Yahoo", "running sneakers"),
]
GEO = [
    ("United States", "US", "New York", "New York", "Comcast"),
    ("United States", "US", "California", "San Francisco", "AT&T"),
    ("United Kingdom", "GB", "England", "London", "BT"),
    ("Germany", "DE", "Berlin", "Berlin", "Deutsche Telekom"),
    ("France", "FR", "Ile-de-France", "Paris", "Orange"),
    ("India", "IN", "Karnataka", "Bengaluru", "Airtel"),
    (None, None, None, None, None),  # unknown location
]
USER_AGENTS = [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0", "WINDOWS", "DESKTOP"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) Safari/605.1.15", "MAC_OS", "DESKTOP"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) Mobile", "IOS", "MOBILE"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120.0 Mobile", "ANDROID", "MOBILE"),
    ("Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X)", "IOS", "TABLET"),
    ("Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0", "LINUX", "DESKTOP"),
]
# campaign id, visitor profile id, goal id, goal type, engagements: (id, channel, type, skill)
CAMPAIGNS = [
    (129082910, 156579410, 126222610, 4, [(2330596212, "1", "5", (11, "Tier1"))]),
    (626105510, 286374810, 126222610, 4, [(2330596213, "100", "1", (-1, None))]),
    (731200410, 156579410, 126222710, 1, [(2330596214, "1", "2", (12, "Sales"))]),
    (845500110, 286374810, 126222810, 3, [(2330596215, "2", "6", (13, "Support"))]),
]
IMPRESSION_FOLLOW_UPS = ["Accept", "ACCEPT", "accept", "Close", "close", "Timeout", "TIMEOUT"]
GOAL_KINDS = [
    "UrlGoalMetadata",
    "PurchaseMetadata",
    "ReduceAbandonmentGoalMetadata",
    "IncreaseInteractionGoalMetadata",
    "LeadMetadata",
    "ServiceActivityMetadata",
    None,
]


# -- Avro-JSON encoding ---------------------------------------------------------------------------


def s(v: Any) -> Any:
    """A nullable string."""
    return None if v is None else {"string": v}


def lng(v: Any) -> Any:
    """A nullable long."""
    return None if v is None else {"long": v}


def i32(v: Any) -> Any:
    """A nullable int."""
    return None if v is None else {"int": v}


def dbl(v: Any) -> Any:
    """A nullable double."""
    return None if v is None else {"double": v}


def boo(v: Any) -> Any:
    """A nullable boolean."""
    return None if v is None else {"boolean": v}


def arr(v: Any) -> Any:
    """A nullable array."""
    return None if v is None else {"array": v}


def rec(name: str, body: Any) -> Any:
    """A nullable named record (or enum) ``com.liveperson.dataaccess.<name>``."""
    return None if body is None else {NS + name: body}


def header(visit_id: str, visitor_id: str, context_id: str | None) -> dict:
    """The ``VisitorHeader`` union every body carries."""
    return rec(
        "VisitorHeader",
        {"visitId": s(visit_id), "visitorId": s(visitor_id), "contextId": s(context_id)},
    )


def body(kind: str, hdr: dict, payload_key: str, payload: Any) -> dict:
    """One ``recordCollection`` entry: ``{"body": {NS+kind: {"header", payload_key}}}``."""
    return {"body": {NS + kind: {"header": hdr, payload_key: payload}}}


def file_document_head(start_ms: int, end_ms: int | None) -> dict:
    """``dataType`` and ``metaData`` of a WebSession file (``recordCollection`` goes after)."""
    return {
        "dataType": rec("DataTypeEnum", "WebSession"),
        "metaData": {
            "accountId": s(ACCOUNT_ID),
            "schemaVersion": "1.0.0.22",
            "startTime": lng(start_ms),
            "endTime": lng(end_ms),
        },
    }


# -- visits ---------------------------------------------------------------------------------------


@dataclass
class WebOptions:
    """Knobs of the web-session generator."""

    seed: int = 1
    start_ms: int = DEFAULT_START_MS
    visits_per_hour: int = 200
    overlap_fraction: float = 0.3


@dataclass
class Visit:
    """The bodies of one visit: those of its own file and those spilling into the next."""

    index: int
    visit_id: str
    start: int
    home: list[dict]
    spill: list[dict]


class VisitFactory:
    """Builds visits; visit ``index`` starts in hour ``index // visits_per_hour``."""

    def __init__(self, options: WebOptions) -> None:
        self.o = options

    def visit(self, index: int) -> Visit:
        """Visit ``index``: its bodies, deterministic per seed and index."""
        o = self.o
        rng = random.Random(f"visit:{o.seed}:{index}")
        hour, slot = divmod(index, o.visits_per_hour)
        start = o.start_ms + hour * HOUR_MS + slot * HOUR_MS // o.visits_per_hour
        start += rng.randrange(HOUR_MS // o.visits_per_hour)
        # visitors come back: a pool smaller than the number of visits
        visitor_n = rng.randrange(max(1, (index + 1) * 2 // 3 + 1))
        visitor_id = _b64(hashlib.sha1(f"{o.seed}:visitor:{visitor_n}".encode()).digest()[:16])
        visit_id = _b64(rng.randbytes(16)) + "." + rng.randbytes(20).hex()
        context_id = None if rng.random() < 0.8 else f"ctx-{rng.randrange(10**6)}"
        hdr = header(visit_id, visitor_id, context_id)
        overlap = rng.random() < o.overlap_fraction

        home: list[dict] = []
        spill: list[dict] = []

        # session info + geo; a second file sees them again, partly null, partly changed
        ua, dev_os, family = rng.choice(USER_AGENTS)
        engine = rng.choice(SEARCH_ENGINES) if rng.random() < 0.3 else (None, None)
        info = {
            "sessionStartTime": lng(start),
            "userAgent": s(ua),
            "deviceOS": s(dev_os),
            "deviceFamily": s(family),
            "siteControlGroup": s(rng.choice(["NA", "CONTROL", "TEST"])),
            "searchEngine": s(engine[0]),
            "searchEngineKey": s(engine[1]),
        }
        country, code, state, city, isp = rng.choice(GEO)
        ip = f"198.51.{rng.randrange(256)}.{rng.randrange(256)}" if country else None
        geo = {
            "iPV4": s(ip),
            "iPV6": s(None if rng.random() < 0.8 else f"2001:db8::{rng.randrange(9999):x}"),
            "country": s(country),
            "city": s(city),
            "state": s(state),
            "org": s(isp),
            "isp": s(isp),
            "countryCode": s(code),
        }
        home.append(body("WebSessionSessionInfoData", hdr, "sessionInfo", rec("SessionInfo", info)))
        home.append(body("WebSessionGeoData", hdr, "geoData", rec("GeoData", geo)))
        if overlap:
            later_info = dict(info, userAgent=None, siteControlGroup=s("TEST"))
            later_geo = dict(geo, org=None, city=s(city + " (metro)") if city else None)
            spill.append(
                body(
                    "WebSessionSessionInfoData", hdr, "sessionInfo", rec("SessionInfo", later_info)
                )
            )
            spill.append(body("WebSessionGeoData", hdr, "geoData", rec("GeoData", later_geo)))

        # navigation: a referrer chain of page views
        n_pages = rng.randint(1, 14)
        t = start + rng.randrange(50, 2_000)
        referrer = f"https://www.{engine[0].lower()}.com/search" if engine[0] else ""
        views = []
        for _ in range(n_pages):
            url, sections = rng.choice(PAGES)
            if rng.random() < 0.1:
                url += f"?utm_source={rng.choice(['mail', 'ads'])}"
            views.append(
                {
                    "timestamp": lng(t),
                    "url": s(url),
                    "referrerUrl": s(referrer),
                    "sections": arr(list(sections)),
                }
            )
            referrer = url
            t += rng.randrange(5_000, 180_000)
        last = t
        cut = len(views) if not overlap or len(views) < 2 else rng.randint(1, len(views) - 1)
        home.append(body("WebSessionNavigationData", hdr, "navigationData", arr(views[:cut])))
        if cut < len(views):
            spill.append(body("WebSessionNavigationData", hdr, "navigationData", arr(views[cut:])))

        # eligibility and impressions
        camps = rng.sample(CAMPAIGNS, k=rng.randint(1, 3))
        eligibility = []
        for k in range(rng.randint(1, 2)):
            eligibility.append(
                {
                    "eligibleCampaigns": arr([_eligible(c, rng) for c in camps[: k + 1]]),
                    "timestamp": lng(start + 40 + k * 30_000),
                }
            )
        elig_body = body("WebSessionEligibilityData", hdr, "eligibilityData", arr(eligibility))
        home.append(elig_body)
        if overlap and rng.random() < 0.5:
            spill.append(elig_body)  # the very same fact again in the next file

        impressions = []
        instance = 0
        for c in camps:
            if rng.random() < 0.25:
                continue
            instance += 1
            ts = start + rng.randrange(1_000, 120_000)
            impressions.append(
                _impression(c, rng, instance, rng.choice(["Show", "Show", "show"]), ts)
            )
            if rng.random() < 0.6:
                follow = rng.choice(IMPRESSION_FOLLOW_UPS)
                impressions.append(_impression(c, rng, instance, follow, ts + 8_000))
        if impressions:
            imp_body = body("WebSessionImpressionData", hdr, "impressions", arr(impressions))
            home.append(imp_body)
            if overlap and rng.random() < 0.3:
                spill.append(imp_body)

        # goals
        if rng.random() < 0.35:
            goals = [_goal(rng, start, last) for _ in range(rng.randint(1, 2))]
            home.append(body("WebSessionGoalAchievedData", hdr, "achievedGoals", arr(goals)))

        # engagement attributes
        attrs = _eng_attrs(rng, start, last)
        if attrs:
            split = len(attrs) if not overlap else rng.randint(0, len(attrs))
            if split:
                home.append(
                    body("WebSessionEngAttrsData", hdr, "engagementAttributes", arr(attrs[:split]))
                )
            if split < len(attrs):
                spill.append(
                    body("WebSessionEngAttrsData", hdr, "engagementAttributes", arr(attrs[split:]))
                )
        return Visit(index=index, visit_id=visit_id, start=start, home=home, spill=spill)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _engagement(eng: tuple, rng: random.Random) -> dict:
    eid, channel, etype, (skill_id, skill_name) = eng
    return {
        "id": lng(eid) if rng.random() < 0.7 else None,
        "channel": s(channel),
        "type": s(etype),
        "visitorBehaviors": arr([{"id": lng(126225110), "revision": lng(33)}]),
        "skillId": i32(skill_id),
        "skillName": s(skill_name),
        "surveySkills": None,
        "isOffsiteEngagement": boo(False),
        "availabilityPolicy": s("1") if skill_name else None,
        "interactionType": i32(rng.choice([1, 5])),
        "renderingType": i32(rng.choice([0, 1])) if rng.random() < 0.3 else None,
    }


def _campaign(c: tuple) -> dict:
    return rec(
        "Campaign",
        {"id": lng(c[0]), "visitorProfiles": arr([{"id": lng(c[1]), "revision": lng(111)}])},
    )


def _goal_ref(c: tuple) -> dict:
    return rec("Goal", {"id": lng(c[2]), "type": i32(c[3]), "indicatorType": i32(3)})


def _eligible(c: tuple, rng: random.Random) -> dict:
    return {
        "campaign": _campaign(c),
        "engagements": arr([_engagement(e, rng) for e in c[4]]),
        "goal": _goal_ref(c),
        "controlGroupType": rec("ControlGroupEnum", rng.choice(["NA", "NA", "TEST", "CONTROL"])),
    }


def _impression(c: tuple, rng: random.Random, instance: int, kind: str, ts: int) -> dict:
    return {
        "timestamp": lng(ts),
        "engagementInstanceId": s(str(instance)),
        "impressionType": s(kind),
        "state": s(rng.choice(["content", "chatonline", "chatoffline", "1", "0"])),
        "engagement": rec("Engagement", _engagement(c[4][0], rng)),
        "campaign": _campaign(c),
        "goal": _goal_ref(c),
    }


def _goal(rng: random.Random, start: int, last: int) -> dict:
    kind = rng.choice(GOAL_KINDS)
    meta: Any
    if kind == "UrlGoalMetadata":
        meta = {"url": s(rng.choice(PAGES)[0])}
    elif kind == "PurchaseMetadata":
        total = round(rng.uniform(10, 400), 2)
        meta = {
            "total": dbl(total),
            "orderId": s(f"ORD-{rng.randrange(10**7):07d}"),
            "cartStatus": rec("CartStatus", _cart(rng, total)),
        }
    elif kind == "ReduceAbandonmentGoalMetadata":
        meta = {"numberOfPages": i32(rng.randint(2, 8))}
    elif kind == "IncreaseInteractionGoalMetadata":
        c = rng.choice(CAMPAIGNS)
        meta = {
            "engagement": rec("Engagement", _engagement(c[4][0], rng)),
            "campaign": _campaign(c),
        }
    elif kind == "LeadMetadata":
        meta = {
            "topic": s(rng.choice(LEAD_TOPICS)),
            "leadId": s(f"lead-{rng.randrange(10**5)}"),
            "value": dbl(round(rng.uniform(10, 5000), 2)),
        }
    elif kind == "ServiceActivityMetadata":
        topic, category = rng.choice(SERVICE_TOPICS)
        meta = {
            "topic": s(topic),
            "status": i32(rng.randint(0, 3)),
            "category": s(category),
            "serviceId": s(f"service{rng.randrange(100)}"),
        }
    else:
        meta = None
    c = rng.choice(CAMPAIGNS)
    return {
        "id": s(f"{rng.randbytes(16).hex()}"),
        "timestamp": lng(start + rng.randrange(max(1, last - start))),
        "campaignGoalRevision": lng(rng.randint(1, 20)),
        "campaignGoalId": lng(c[2]),
        "campaignGoalType": i32(c[3]),
        "goalMetaData": rec(kind, meta) if kind else None,
    }


def _products(rng: random.Random, k: int) -> list[dict]:
    return [
        {
            "quantity": i32(rng.randint(1, 3)),
            "product": rec(
                "Product",
                {"name": s(name), "category": s(cat), "sku": s(sku), "price": dbl(price)},
            ),
        }
        for name, cat, sku, price in rng.sample(PRODUCTS, k=k)
    ]


def _cart(rng: random.Random, total: float | None = None) -> dict:
    products = _products(rng, rng.randint(1, 3))
    if total is None:
        total = round(
            sum(
                p["quantity"]["int"] * p["product"][NS + "Product"]["price"]["double"]
                for p in products
            ),
            2,
        )
    return {
        "total": dbl(total),
        "numItems": i32(sum(p["quantity"]["int"] for p in products)),
        "products": arr(products),
    }


def _eng_attrs(rng: random.Random, start: int, last: int) -> list[dict]:
    span = max(1, last - start)
    out: list[tuple[int, str, dict]] = []

    def add(kind: str, data: dict, t: int | None = None) -> None:
        out.append((t if t is not None else start + rng.randrange(span), kind, data))

    if rng.random() < 0.6:
        add(
            "CustomerInfo",
            {
                "isAuthenticated": boo(rng.choice([True, False, None])),
                "authenticatedConversationId": None,
                "customerStatus": s(rng.choice(CUSTOMER_STATUSES)),
                "customerType": s(rng.choice(CUSTOMER_TYPES + [None])),
                "balance": dbl(round(rng.uniform(-200, 3000), 2)),
                "customerId": s(f"cust-{rng.randrange(10**6)}"),
                "socialId": None,
                "imei": None,
                "userName": s(rng.choice(["jdoe", "anon", None])),
                "companySize": i32(rng.choice([None, 12, 250])),
                "accountName": None,
                "role": None,
                "storeZipCode": None,
                "storeNumber": None,
                "lastPaymentDate": rec(
                    "YMDDate", {"year": 2023, "month": rng.randint(1, 12), "day": 1}
                ),
                "registrationDate": None,
            },
        )
    if rng.random() < 0.4:
        age = None
        if rng.random() < 0.6:
            yob = rng.randint(1950, 2004)
            age = rec(
                "CustomerAge",
                {
                    "customerAgeInYears": i32(2024 - yob),
                    "customerYearOfBirth": i32(yob),
                    "customerMonthOfBirth": i32(rng.randint(1, 12)),
                    "customerDateOfBirth": i32(rng.randint(1, 28)),
                },
            )
        add(
            "PersonalInfo",
            {
                "isAuthenticated": None,
                "name": s(rng.choice(["John", "Jane", None])),
                "surname": s(rng.choice(["Doe", "Smith", None])),
                "gender": s(rng.choice(["MALE", "FEMALE", None])),
                "company": None,
                "customerAge": age,
                "contacts": arr(
                    [
                        {
                            "email": s("visitor@example.com"),
                            "phone": s(rng.choice([None, "+44 20 7946 0000"])),
                        }
                    ]
                ),
            },
        )
    if rng.random() < 0.25:
        add(
            "MarketingCampaignInfo",
            {
                "originatingChannel": i32(rng.randint(0, 3)),
                "affiliate": s(rng.choice(AFFILIATES)),
                "campaignId": s(rng.choice(["spring-24", "newsletter-7"])),
            },
        )
    if rng.random() < 0.3:
        add("SearchContent", {"keywords": arr(rng.sample(KEYWORDS, k=rng.randint(1, 3)))})
    if rng.random() < 0.4:
        add("ViewedProduct", {"products": arr(_products(rng, rng.randint(1, 2)))})
    if rng.random() < 0.35:
        cart = _cart(rng)
        t_cart = start + rng.randrange(span)
        add("CartStatus", cart, t_cart)
        if rng.random() < 0.55:
            total = cart["total"]["double"] if rng.random() > 0.05 else None
            order = s(f"ORD-{rng.randrange(10**7):07d}")
            purchase = {"total": dbl(total), "orderId": order, "cart": rec("Cart", cart)}
            add("Purchase", purchase, t_cart + 2_000)
            if rng.random() < 0.15:  # the same order reported twice
                add("Purchase", dict(purchase, total=dbl(cart["total"]["double"])), t_cart + 4_000)
    if rng.random() < 0.12:
        add(
            "Lead",
            {
                "topic": s(rng.choice(LEAD_TOPICS)),
                "leadId": s(rng.choice([f"lead-{rng.randrange(10**5)}", None])),
                "value": dbl(rng.choice([round(rng.uniform(10, 5000), 2), None])),
            },
        )
    if rng.random() < 0.15:
        code, message = rng.choice([e for e in ERRORS if e[0].isdigit()])
        add(
            "VisitorError",
            {
                "contextId": s(f"ctx-{rng.randrange(1000)}"),
                "message": s(message),
                "code": lng(int(code)),
                "level": lng(rng.choice([1, 2, 3])),
                "resolved": boo(rng.choice([True, False, None])),
            },
        )
    if rng.random() < 0.08:
        topic, category = rng.choice(SERVICE_TOPICS)
        add(
            "ServiceActivity",
            {
                "topic": s(topic),
                "status": i32(rng.randint(0, 3)),
                "category": s(category),
                "serviceId": s(f"service{rng.randrange(100)}"),
            },
        )
    out.sort(key=lambda e: e[0])
    return [{"timestamp": lng(t), "data": rec(kind, data)} for t, kind, data in out]


def visit_stream(count: int, options: WebOptions) -> Iterator[Visit]:
    """Visits ``0 … count-1`` in start order."""
    factory = VisitFactory(options)
    for index in range(count):
        yield factory.visit(index)
