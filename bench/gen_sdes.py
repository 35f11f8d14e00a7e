"""Engagement-attribute (SDE) events of synthetic conversation records.

All ten types, in the conversation's encoding — v1: every attribute a string (dates as
``{"year": "2014", …}``); v2: the documented types — and in both nestings: the body one
level deeper under its own name (``customerInfo.customerInfo``) or directly in the event.
Values are realistic and a little messy: customer types with odd case and spaces, the
same order id reported twice, purchases without a total, leads without an id, errors with
codes, search keywords in mixed case, an impossible payment date now and then.
"""

from __future__ import annotations

import random
from typing import Any

CUSTOMER_TYPES = ["VIP", " VIP", "vip", "Premium", "premium ", "Regular", "regular", "Gold", ""]
CUSTOMER_STATUSES = ["active", "Active ", "cancelled", "SUSPENDED", "new"]
PRODUCTS = [
    ("red high heel shoe", "women shoes", "xyz567", 77.8),
    ("running sneaker", "men shoes", "run101", 119.0),
    ("leather belt", "accessories", "blt220", 35.5),
    ("silk scarf", "accessories", "scf310", 49.99),
    ("denim jacket", "outerwear", "jkt777", 149.0),
    ("wool socks", "underwear", "sck005", 9.5),
]
CURRENCIES = ["USD", "USD", "USD", "EUR", "GBP"]
KEYWORDS = ["Shoes", " shoes ", "red dress", "RED DRESS", "sneakers", "belt", "gift card", "sale"]
LEAD_TOPICS = ["luxury car test drive", "home loan", "business account", "insurance quote"]
ERRORS = [
    ("100004", "Expiration date missing"),
    ("100201", "Card declined"),
    ("er100004", "Expiration date missing"),
    ("300", "Session timed out"),
]
SERVICE_TOPICS = [
    ("order checkbook", "finance"),
    ("replace card", "cards"),
    ("address change", "account"),
]
AFFILIATES = ["Yahoo", "Google", "Newsletter", "Partner-42"]


class SdeFactory:
    """Engagement-attribute events of one conversation, in its encoding and nesting."""

    # Types the seeds nest one level deeper (customerInfo.customerInfo); others are flat.
    NESTED = frozenset(
        {
            "customerInfo",
            "personalInfo",
            "marketingCampaignInfo",
            "visitorError",
            "lead",
            "serviceActivity",
        }
    )

    def __init__(self, rng: random.Random, v2: bool, legacy: bool, long_text: float) -> None:
        self.rng = rng
        self.v2 = v2
        self.legacy = legacy
        self.long_text = long_text

    def v(self, value: Any) -> Any:
        """An attribute value in this conversation's encoding (v1: text; v2: typed)."""
        if value is None or self.v2 or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict):
            return {k: self.v(x) for k, x in value.items()}
        if isinstance(value, list):  # v1 keeps arrays (keywords, products) as arrays
            return [self.v(x) for x in value]
        return str(value)

    def ts(self, ms: int) -> Any:
        return ms if self.v2 else str(ms)

    def event(self, sde_type: str, key: str, t: int, body: dict, auth: bool) -> tuple[dict, bool]:
        rng = self.rng
        meta = {"serverTimeStamp": self.ts(t)}
        if rng.random() < 0.8:  # originalTimeStamp only in the newer seed revisions
            meta["originalTimeStamp"] = self.ts(t - rng.randrange(0, 5_000))
        if not auth and rng.random() < 0.5:
            meta["isAuthenticated"] = False
        nested = (key in self.NESTED) != (rng.random() < 0.25)  # a quarter use the other shape
        attrs = {k: self.v(x) for k, x in body.items()}
        payload = {**meta, key: attrs} if nested else {**meta, **attrs}
        ev: dict[str, Any] = {key: payload, "sdeType": sde_type, "serverTimeStamp": self.ts(t)}
        if not auth:
            ev["isAuthenticated"] = False
        return ev, auth

    def _products(self, k: int, viewed: bool = False) -> list[dict]:
        rng = self.rng
        out = []
        for name, cat, sku, price in rng.sample(PRODUCTS, k=k):
            product: dict[str, Any] = {"name": name, "category": cat, "sku": sku, "price": price}
            if viewed and rng.random() < 0.7:
                product["statusInStock"] = rng.choice(["IN_STOCK", "LOW", "OUT_OF_STOCK"])
                product["quantityInStock"] = rng.randint(0, 40)
            out.append({"quantity": self.v(rng.randint(1, 3)), "product": self.v(product)})
        return out

    def events(self, start: int, end: int) -> tuple[list[dict], list[dict]]:
        """(``sdes`` events, ``unAuthSdes`` events), in time order."""
        rng = self.rng
        span = max(1, end - start)

        def at() -> int:
            return start + rng.randrange(span)

        out: list[tuple[dict, bool]] = []
        currency = rng.choice(CURRENCIES)
        if rng.random() < 0.7:
            body = {
                "customerStatus": rng.choice(CUSTOMER_STATUSES),
                "customerType": rng.choice(CUSTOMER_TYPES),
                "balance": round(rng.uniform(-500, 5000), 2),
                "currency": currency,
                "customerId": f"cust-{rng.randrange(10**6)}",
                "socialId": rng.choice([None, "fb:1234"]),
                "imei": rng.choice([None, "356938035643809"]),
                "userName": rng.choice(["jdoe", "mcohen", "anon"]),
                "accountName": rng.choice(["Acme Corp", "Globex", None]),
                "role": rng.choice(["buyer", "admin", None]),
                "companyBranch": rng.choice(["NYC", "Remote", None]),
                "storeNumber": rng.choice(["store-12", None]),
                "storeZipCode": rng.choice(["10001", "94105", None]),
                "companySize": rng.choice([12, 250, 5000]),
                "loginStatus": rng.choice([0, 1]),
                "lastPaymentDate": {"year": 2023, "month": rng.randint(1, 12), "day": 15},
                "registrationDate": {"year": rng.randint(2010, 2022), "month": 5, "day": 23},
            }
            if rng.random() < 0.01:
                body["lastPaymentDate"] = {"year": 2023, "month": 2, "day": 30}  # impossible
            if rng.random() < self.long_text:
                body["userName"] = "x" * 60_000
            out.append(self.event("CUSTOMER_INFO", "customerInfo", at(), body, True))
            if rng.random() < 0.25:  # an earlier anonymous profile with another segment
                early = dict(body, customerType=rng.choice(CUSTOMER_TYPES))
                out.append(self.event("CUSTOMER_INFO", "customerInfo", start + 1, early, False))
        if rng.random() < 0.5:
            age: Any
            if rng.random() < 0.5:
                yob = rng.randint(1950, 2004)
                age = {
                    "customerAgeInYears": 2024 - yob,
                    "customerYearOfBirth": yob,
                    "customerMonthOfBirth": rng.randint(1, 12),
                    "customerDateOfBirth": rng.randint(1, 28),
                }
            else:
                age = str(rng.randint(1950, 2004))
            body = {
                "name": rng.choice(["John", "Jane", "Ahmed", "Li"]),
                "surname": rng.choice(["Doe", "Smith", "Haddad"]),
                "gender": rng.choice(["MALE", "FEMALE", None]),
                "company": rng.choice(["Acme Corp", None]),
                "language": rng.choice(["en-US", "Russian", "de"]),
                "customerAge": age,
                "contacts": [
                    {"personalContact": {"email": "myname@example.com", "phone": "+1 212-555-0199"}}
                ],
            }
            out.append(self.event("PERSONAL_INFO", "personalInfo", at(), body, True))
        if rng.random() < 0.3:
            body = {
                "originatingChannel": rng.randint(0, 3),
                "affiliate": rng.choice(AFFILIATES),
                "campaignId": rng.choice(["US coupon campaign", "spring-24", "newsletter-7"]),
            }
            out.append(
                self.event("MARKETING_CAMPAIGN_INFO", "marketingCampaignInfo", at(), body, False)
            )
        if rng.random() < 0.3:
            body = {"keywords": rng.sample(KEYWORDS, k=rng.randint(1, 3))}
            out.append(self.event("SEARCH_CONTENT", "searchContent", at(), body, False))
        if rng.random() < 0.35:
            body = {"currency": currency, "products": self._products(rng.randint(1, 2), True)}
            out.append(self.event("VIEWED_PRODUCT", "viewedProduct", at(), body, False))
        if rng.random() < 0.35:
            products = self._products(rng.randint(1, 3))
            total = round(sum(_price(p) * _qty(p) for p in products), 2)
            t_cart = at()
            cart = {
                "total": total,
                "currency": currency,
                "numItems": sum(_qty(p) for p in products),
                "products": products,
            }
            out.append(self.event("CART_STATUS", "cartStatus", t_cart, cart, False))
            if rng.random() < 0.6:
                order = f"ORD-{rng.randrange(10**7):07d}"
                purchase = {
                    "total": total if rng.random() > 0.05 else None,
                    "currency": currency,
                    "orderId": order,
                    "cart": {
                        "total": total,
                        "serverTimeStamp": self.ts(t_cart),
                        "numItems": cart["numItems"],
                        "products": products,
                    },
                }
                t_buy = min(end, t_cart + rng.randrange(1_000, 60_000))
                out.append(self.event("PURCHASE", "purchase", t_buy, purchase, rng.random() < 0.3))
                if rng.random() < 0.15:  # the same order reported again, later
                    again = dict(purchase, total=total)
                    out.append(self.event("PURCHASE", "purchase", t_buy + 500, again, False))
        if rng.random() < 0.15:
            lead_id = rng.choice([f"lead-{rng.randrange(10**5)}", None])
            body = {
                "topic": rng.choice(LEAD_TOPICS),
                "value": rng.choice([round(rng.uniform(10, 5000), 2), None]),
                "currency": rng.choice([currency, None]),
                "leadId": lead_id,
            }
            out.append(self.event("LEAD", "lead", at(), body, False))
            if lead_id and rng.random() < 0.2:
                out.append(self.event("LEAD", "lead", at(), body, False))
        if rng.random() < 0.15:
            code, message = rng.choice(ERRORS)
            body = {
                "contextId": f"ctx-{rng.randrange(1000)}",
                "message": message,
                "code": code,
                "level": rng.choice([1, 2, 3, None]),
                "resolved": rng.choice([True, False, None]),
            }
            out.append(self.event("VISITOR_ERROR", "visitorError", at(), body, False))
        if rng.random() < 0.1:
            topic, category = rng.choice(SERVICE_TOPICS)
            body = {
                "topic": topic,
                "status": rng.randint(0, 3),
                "category": category,
                "serviceId": f"service{rng.randrange(100)}",
            }
            out.append(self.event("SERVICE_ACTIVITY", "serviceActivity", at(), body, False))

        out.sort(key=lambda e: event_time(e[0]))
        if self.legacy:  # the older record format knows no unAuthSdes
            return [e for e, _ in out], []
        return [e for e, auth in out if auth], [e for e, auth in out if not auth]


def _qty(p: dict) -> int:
    return int(p["quantity"])


def _price(p: dict) -> float:
    return float(p["product"]["price"])


def event_time(event: dict) -> int:
    """The event's ``serverTimeStamp`` as epoch milliseconds."""
    return int(event["serverTimeStamp"])
