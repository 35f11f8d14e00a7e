"""Synthetic Messaging Interactions API conversation records, realistic and deterministic.

Every section seen in the seeds and LivePerson's published samples appears with realistic
value distributions: several agents, bots and skills; CSAT 1–5 or missing; MCS 0–100;
transfers, surveys, co-browse sessions, dialogs, conversation intents and agent surveys;
engagement attributes (SDEs) of all ten types in both encodings (v1: every attribute a
string; v2: documented types) and both nesting variants (``customerInfo.customerInfo`` vs
flat). Two record formats alternate: the current one (``consumerParticipants``,
``messageScores``, ``monitoring``, ``dialogs`` …) and the legacy one of the older
consumer-history page (``consumerParticipant``, ``messageScore``, no campaign).

A configurable fraction of conversations is exported twice: an OPEN snapshot and a later
CLOSED one with more messages (later timestamps). :func:`conversation_stream` yields the
CLOSED snapshot some records after the OPEN one — and, for a quarter of the pairs, before
it (a stale OPEN snapshot arriving last), so loaders meet both orders.

Each conversation is built from its own ``random.Random`` seeded by ``(seed, index)``, so
the output is identical for a given seed whatever is generated around it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from bench.gen_sdes import SdeFactory, event_time

DAY_MS = 86_400_000
#: Default first day of generated activity (UTC).
DEFAULT_START_MS = int(datetime(2024, 3, 1, tzinfo=UTC).timestamp() * 1000)

BRAND_ID = "le81665372"
AGENTS = [
    # id, full name, nickname, login, group id, group name
    ("3677470410", "Maya Cohen", "Maya", "maya.cohen@brand.example", 11, "Sales Team"),
    ("3677470411", "Daniel Ortiz", "Dan", "daniel.ortiz@brand.example", 11, "Sales Team"),
    ("3677470412", "Priya Natarajan", "Priya", "priya.n@brand.example", 12, "Billing Team"),
    ("3677470413", "Tom Becker", "Tom", "tom.becker@brand.example", 12, "Billing Team"),
    ("3677470414", "Aiko Tanaka", "Aiko", "aiko.tanaka@brand.example", 13, "Support Team"),
    ("3677470415", "Lucas Martin", "Lucas", "lucas.martin@brand.example", 13, "Support Team"),
    ("3677470416", "Sara Lindqvist", "Sara", "sara.l@brand.example", 13, "Support Team"),
    ("3677470417", "Omar Haddad", "Omar", "omar.haddad@brand.example", 14, "VIP Desk"),
    ("3677470418", "Grace Kim", "Grace", "grace.kim@brand.example", 14, "VIP Desk"),
    ("3677470419", "Ivan Petrov", "Ivan", "ivan.petrov@brand.example", -1, "Unassigned"),
]
BOTS = [
    ("2198186612", "Conversational Bot", "Bot", "bot.main@brand.example", 20, "Bots"),
    ("2198186613", "Order Status Bot", "OrderBot", "bot.orders@brand.example", 20, "Bots"),
]
SKILLS = [
    (101, "Sales"),
    (102, "Billing"),
    (103, "Support"),
    (104, "Returns"),
    (105, "VIP Care"),
    (106, "Technical"),
]
UNASSIGNED = (-1, "Unassigned")
CLOSE_REASONS = [
    ("AGENT", "MANUAL_CLOSE", 45),
    ("CONSUMER", "MANUAL_CLOSE", 30),
    ("SYSTEM", "TIMEOUT", 15),
    ("SYSTEM", "AUTO_CLOSE", 10),
]
SOURCES = ["APP", "WEB", "SHARK", "FACEBOOK", "SMS"]
DEVICES = ["DESKTOP", "MOBILE", "TABLET", "undefined"]
BROWSERS = ["chrome", "Safari", "FIREFOX", "Edge", "undefined"]
OPERATING_SYSTEMS = ["WINDOWS", "MAC_OSX", "ANDROID", "IOS", "LINUX", "NA"]
GEO = [
    ("United States", "US", "New York", "New York"),
    ("United States", "US", "California", "San Francisco"),
    ("United Kingdom", "GB", "England", "London"),
    ("Germany", "DE", "Berlin", "Berlin"),
    ("Israel", "IL", "Tel Aviv", "Tel Aviv"),
    ("Japan", "JP", "Tokyo", "Tokyo"),
    ("Brazil", "BR", "Sao Paulo", "Sao Paulo"),
]
CONSUMER_LINES = [
    "Hi, I need help with my order",
    "Where is my package?",
    "I was charged twice this month",
    "Can I return these shoes?",
    "Do you have this in a size 9?",
    "My app keeps crashing on login",
    "Is there a discount for members?",
    "thanks!",
    "That worked, thank you",
    "Can you check my balance please",
]
AGENT_LINES = [
    "Hi there, happy to help!",
    "Let me check that for you.",
    "Could you share your order number?",
    "I have refunded the duplicate charge.",
    "Your package is out for delivery.",
    "Is there anything else I can help with?",
    "I have applied a 10% member discount.",
]
BOT_INTENTS = [
    ("order-status", "HIGH"),
    ("billing-dispute", "MEDIUM"),
    ("returns-policy", "HIGH"),
    ("store-hours", "LOW"),
    ("talk-to-agent", "HIGH"),
]
CONV_INTENTS = [
    ("321c15e6-fcca-4978-a0ba-281b86803b61", "ask about discount or promotion"),
    ("321c15e6-fcca-4978-a0ba-281b86803b59", "ask about fees"),
    ("321c15e6-fcca-4978-a0ba-281b86803b70", "track an order"),
    ("321c15e6-fcca-4978-a0ba-281b86803b71", "return an item"),
]
SURVEY_QUESTIONS = [
    ("Confirm Resolution", ["Yes", "No", "Yes", "Yes"]),
    ("How would you rate the agent?", ["5", "4", "3", "5", "1"]),
    ("Would you recommend us?", ["Definitely", "Maybe", "No"]),
]
RICH_CONTENT = orjson.dumps(
    {
        "type": "vertical",
        "elements": [
            {"type": "image", "url": "https://cdn.brand.example/sale.gif", "tooltip": "sale"},
            {"type": "text", "text": "Now on sale!"},
            {
                "type": "button",
                "title": "Shop now",
                "click": {"actions": [{"type": "link", "uri": "https://brand.example/sale"}]},
            },
        ],
    }
).decode()


def quick_replies(options: list[str]) -> str:
    """The ``quickReplies.content`` JSON text offering ``options`` as buttons."""
    replies = [
        {
            "type": "button",
            "tooltip": o,
            "title": o,
            "click": {"actions": [{"type": "publishText", "text": o}]},
        }
        for o in options
    ]
    return orjson.dumps({"type": "quickReplies", "itemsPerRow": 8, "replies": replies}).decode()


def fmt_time(ms: int) -> str:
    """LivePerson's text timestamp: ``2016-08-29 15:14:19.564+0000``."""
    dt = datetime.fromtimestamp(ms // 1000, UTC)
    return dt.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}+0000"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass
class ConversationOptions:
    """Knobs of the conversation generator."""

    seed: int = 1
    start_ms: int = DEFAULT_START_MS
    days: int = 30
    repeat_fraction: float = 0.1
    open_only_fraction: float = 0.03
    legacy_fraction: float = 0.15
    long_text_fraction: float = 0.0005


@dataclass
class _Plan:
    """One conversation's full story; snapshots are cut from it."""

    cid: str
    index: int
    legacy: bool
    v2: bool
    start: int
    end: int
    info: dict
    campaign: dict
    monitoring: dict
    messages: list[dict]
    agents: list[dict]
    consumers: list[dict]
    transfers: list[dict]
    interactions: list[dict]
    dialogs: list[dict]
    scores: list[dict]
    statuses: list[dict]
    surveys: list[dict]
    cobrowse: list[dict]
    sdes: list[dict]
    unauth: list[dict]
    intents: list[dict]
    agent_surveys: list[dict]
    summary: dict | None
    response_time: dict
    extras: dict = field(default_factory=dict)


class ConversationFactory:
    """Builds conversation plans and cuts record snapshots from them."""

    def __init__(self, options: ConversationOptions) -> None:
        self.o = options

    # -- the plan ---------------------------------------------------------------------------------

    def plan(self, index: int) -> _Plan:
        """The full story of conversation ``index`` (deterministic per seed and index)."""
        rng = random.Random(f"conv:{self.o.seed}:{index}")
        cid = _uuid(rng)
        legacy = rng.random() < self.o.legacy_fraction
        v2 = (not legacy) and rng.random() < 0.6
        start = self.o.start_ms + rng.randrange(self.o.days * DAY_MS)
        consumer_pid = _uuid(rng)
        main_dialog = cid
        skill = rng.choice(SKILLS) if rng.random() < 0.9 else UNASSIGNED
        agent_pool = [a for a in AGENTS if rng.random() < 0.5] or [rng.choice(AGENTS)]
        agent = rng.choice(agent_pool)
        with_bot = rng.random() < 0.3
        bot = rng.choice(BOTS) if with_bot else None

        # messages: consumer first, then alternating; a few conversations are never answered
        t = start + rng.randrange(2_000, 60_000)
        n_msgs = rng.randint(2, 24)
        unanswered = rng.random() < 0.05
        messages: list[dict] = []
        agent_join = None
        for seq in range(n_msgs):
            consumer_turn = seq % 2 == 0 or unanswered
            if consumer_turn:
                sender, pid = "Consumer", consumer_pid
                text = rng.choice(CONSUMER_LINES)
            else:
                use_bot = bot is not None and seq < 4
                who = bot if use_bot else agent
                sender, pid = "Agent", who[0]
                text = rng.choice(AGENT_LINES)
                if agent_join is None and not use_bot:
                    agent_join = t - rng.randrange(1_000, 30_000)
            msg = self._message(rng, cid, main_dialog, seq, t, sender, pid, text, legacy)
            if sender == "Agent" and bot is not None and pid == bot[0]:
                msg["contextData"] = self._bot_context(rng)
            messages.append(msg)
            t += rng.randrange(3_000, 240_000 if consumer_turn else 90_000)
        end = t + rng.randrange(10_000, 600_000)
        if agent_join is None:
            agent_join = start + 1_000

        agents = []
        if bot is not None:
            agents.append(self._agent_participant(bot, start + 500, main_dialog, legacy, bot=True))
        agents.append(self._agent_participant(agent, agent_join, main_dialog, legacy))
        if rng.random() < 0.1:  # a manager joins to read along
            mgr = rng.choice(AGENTS)
            p = self._agent_participant(mgr, agent_join + 60_000, main_dialog, legacy)
            p["role"], p["permission"] = "MANAGER", "READER"
            agents.append(p)

        transfers, latest_skill, latest_agent = [], skill, agent
        if rng.random() < 0.25:
            target = rng.choice([s for s in SKILLS if s != skill])
            new_agent = rng.choice(AGENTS)
            tt = start + (end - start) // 2
            transfers.append(self._transfer(rng, tt, skill, target, agent, main_dialog, legacy))
            latest_skill, latest_agent = target, new_agent
            agents.append(self._agent_participant(new_agent, tt + 5_000, main_dialog, legacy))
        interactions = [
            self._interaction(a, i + 1, main_dialog, legacy)
            for i, a in enumerate(p for p in agents if p.get("role") != "MANAGER")
        ]

        close_reason, close_desc = _weighted(rng, CLOSE_REASONS)
        csat = rng.randint(1, 5) if rng.random() < 0.45 else None
        if csat is not None and rng.random() < 0.6:
            csat = max(csat, 4)
        mcs = rng.randint(0, 100) if rng.random() < 0.8 else None
        info = {
            "startTime": fmt_time(start),
            "startTimeL": start,
            "endTime": fmt_time(end),
            "endTimeL": end,
            "duration": end - start,
            "conversationId": cid,
            "brandId": BRAND_ID,
            "latestAgentId": latest_agent[0],
            "latestAgentNickname": latest_agent[2],
            "latestAgentFullName": latest_agent[1],
            "latestAgentLoginName": latest_agent[3],
            "agentDeleted": rng.random() < 0.02,
            "latestSkillId": latest_skill[0],
            "latestSkillName": latest_skill[1],
            "source": rng.choice(SOURCES),
            "closeReason": close_reason,
            "closeReasonDescription": close_desc,
            "mcs": mcs,
            "alertedMCS": rng.choice([-1, 0, 1]),
            "status": "CLOSE",
            "firstConversation": rng.random() < 0.3,
            "csatRate": csat,
            "device": rng.choice(DEVICES),
            "browser": rng.choice(BROWSERS),
            "operatingSystem": rng.choice(OPERATING_SYSTEMS),
            "latestAgentGroupId": latest_agent[4],
            "latestAgentGroupName": latest_agent[5],
            "latestQueueState": "ACTIVE",
            "isPartial": False,
        }
        if mcs is None:
            del info["mcs"]
        if csat is None:
            del info["csatRate"]
        if not legacy:
            info["conversationEndTime"] = fmt_time(end)
            info["conversationEndTimeL"] = end
            info["fullDialogEndTime"] = fmt_time(end)
            info["fullDialogEndTimeL"] = end
            info["fullDialogStatus"] = "CLOSE"
            info["pendingAgentSurvey"] = False

        country, code, state, city = rng.choice(GEO)
        monitoring = {
            "country": country,
            "countryCode": code,
            "state": state,
            "city": city,
            "isp": rng.choice(["Comcast", "AT&T U-verse", "Vodafone", "BT"]),
            "org": rng.choice(["Comcast", "AT&T U-verse", "Vodafone", "BT"]),
            "device": rng.choice(DEVICES[:3]),
            "ipAddress": f"203.0.{rng.randrange(256)}.{rng.randrange(256)}",
            "browser": rng.choice(["Chrome 120.0.0.0", "Safari 17.2", "Firefox 121.0"]),
            "operatingSystem": rng.choice(OPERATING_SYSTEMS),
            "conversationStartPage": f"https://brand.example/{rng.choice(['', 'shop', 'help'])}",
            "conversationStartPageTitle": "Brand Store",
        }
        campaign = self._campaign(rng)

        consumers = [
            {
                "participantId": consumer_pid,
                "firstName": rng.choice(["Visitor", "Jane", "Ahmed", "Li"]),
                "lastName": rng.choice(["Test", "Doe", "Nguyen", "undefined"]),
                "token": "undefined",
                "email": rng.choice(["undefined", "jane@example.com"]),
                "phone": rng.choice(["0", "+1 212-555-0100"]),
                "avatarURL": "undefined",
                "time": fmt_time(start + 8),
                "timeL": start + 8,
                "consumerName": "Visitor",
            }
        ]
        if not legacy:
            consumers[0]["dialogId"] = main_dialog

        scores, statuses = [], []
        for m in messages:
            if m["sentBy"] == "Consumer":
                st = m["timeL"] + rng.randrange(100, 9_000)
                scores.append(
                    {
                        "messageId": m["messageId"],
                        "messageRawScore": rng.randint(-3, 3),
                        "mcs": rng.randint(0, 100),
                        "time": fmt_time(st),
                        "timeL": st,
                    }
                )
            for status, delay in (("ACCEPT", 60), ("READ", 15_000)):
                if status == "READ" and rng.random() < 0.4:
                    continue
                st = m["timeL"] + delay + rng.randrange(0, 500)
                s = {
                    "messageId": m["messageId"],
                    "seq": m["seq"],
                    "time": fmt_time(st),
                    "timeL": st,
                    "participantId": agent[0] if m["sentBy"] == "Consumer" else consumer_pid,
                    "participantType": "Agent" if m["sentBy"] == "Consumer" else "Consumer",
                    "messageDeliveryStatus": status,
                }
                if not legacy:
                    s["dialogId"] = main_dialog
                statuses.append(s)

        dialogs, surveys = [], []
        if not legacy:
            dialogs.append(
                {
                    "dialogId": main_dialog,
                    "status": "CLOSE",
                    "dialogType": "MAIN",
                    "dialogChannelType": "MESSAGING",
                    "startTime": fmt_time(start),
                    "startTimeL": start,
                    "endTime": fmt_time(end),
                    "endTimeL": end,
                    "closeReason": close_reason,
                    "closeReasonDescription": close_desc,
                    "skillId": latest_skill[0],
                    "skillName": latest_skill[1],
                }
            )
        if rng.random() < 0.3:
            survey_dialog = _uuid(rng)
            data = [{"question": q, "answer": rng.choice(a)} for q, a in SURVEY_QUESTIONS[:2]]
            if rng.random() < 0.5:
                q, a = SURVEY_QUESTIONS[2]
                data.append({"question": q, "answer": rng.choice(a)})
            survey = {"surveyType": "Satisfaction", "surveyStatus": "FILLED", "surveyData": data}
            if not legacy:
                survey["dialogId"] = survey_dialog
                dialogs.append(
                    {
                        "dialogId": survey_dialog,
                        "status": "CLOSE",
                        "dialogType": "POST_SURVEY",
                        "dialogChannelType": "MESSAGING",
                        "startTime": fmt_time(end - 5_000),
                        "startTimeL": end - 5_000,
                        "endTime": fmt_time(end),
                        "endTimeL": end,
                        "closeReason": "SYSTEM",
                        "closeReasonDescription": "SURVEY_COMPLETED",
                        "skillId": latest_skill[0],
                        "skillName": latest_skill[1],
                    }
                )
            surveys.append(survey)

        cobrowse = []
        if rng.random() < 0.05:
            for _ in range(rng.randint(1, 2)):
                cs = start + rng.randrange(0, max(1, end - start))
                ce = cs + rng.randrange(10_000, 300_000)
                session = {
                    "sessionId": f"{BRAND_ID}:{agent[0]}__{_uuid(rng)}_{cs}",
                    "startTime": fmt_time(cs),
                    "startTimeL": cs,
                    "endTime": fmt_time(ce),
                    "endTimeL": ce,
                    "endReason": rng.choice(["AGENT", "VISITOR"]),
                    "duration": ce - cs,
                    "type": rng.choice(["inApp", "web"]),
                    "agentId": agent[0],
                    "interactive": rng.random() < 0.7,
                }
                if rng.random() < 0.5:
                    session["capabilities"] = [
                        "CONSUMER_VIDEO_CONNECTION",
                        "CONSUMER_VOICE_CONNECTION",
                        "AGENT_APP_CONTROL",
                    ]
                cobrowse.append(session)

        sdes, unauth = SdeFactory(rng, v2, legacy, self.o.long_text_fraction).events(start, end)

        intents = []
        if not legacy and rng.random() < 0.3:
            for m in messages[:: max(1, len(messages) // 2)][:2]:
                if m["sentBy"] != "Consumer":
                    continue
                classes = rng.sample(CONV_INTENTS, k=rng.randint(1, 3))
                scores_ = sorted((round(rng.random(), 3) for _ in classes), reverse=True)
                all_c = [
                    {
                        "intentName": name,
                        "intentLabel": label,
                        "confidenceScore": s,
                        "versions": [
                            {"modelName": "sic", "modelVersion": "1.0"},
                            {"modelName": "tmo_classifier", "modelVersion": "1.0"},
                        ],
                    }
                    for (name, label), s in zip(classes, scores_, strict=True)
                ]
                intents.append(
                    {
                        "selectedClassification": dict(all_c[0]),
                        "allClassifications": all_c,
                        "messageId": m["messageId"],
                    }
                )

        agent_surveys = []
        if not legacy and rng.random() < 0.1:
            agent_surveys = self._agent_surveys(rng, agent, latest_skill, main_dialog, end)

        summary = None
        if rng.random() < 0.6:
            summary = {
                "text": rng.choice(["Refund issued", "Order tracked", "summary", "Upsell: belt"]),
                "lastUpdatedTime": end + rng.randrange(1_000, 120_000),
            }
        response_time = {
            "latestEffectiveResponseDueTime": start + rng.randrange(60_000, 600_000),
            "configuredResponseTime": rng.choice([3000, 60000, 300000]),
        }
        return _Plan(
            cid=cid,
            index=index,
            legacy=legacy,
            v2=v2,
            start=start,
            end=end,
            info=info,
            campaign=campaign,
            monitoring=monitoring,
            messages=messages,
            agents=agents,
            consumers=consumers,
            transfers=transfers,
            interactions=interactions,
            dialogs=dialogs,
            scores=scores,
            statuses=statuses,
            surveys=surveys,
            cobrowse=cobrowse,
            sdes=sdes,
            unauth=unauth,
            intents=intents,
            agent_surveys=agent_surveys,
            summary=summary,
            response_time=response_time,
        )

    # -- snapshots --------------------------------------------------------------------------------

    def closed_record(self, plan: _Plan) -> dict:
        """The final (CLOSE) export of a conversation."""
        p = plan
        rec: dict[str, Any] = {"info": p.info}
        if not p.legacy:
            rec["campaign"] = p.campaign
            rec["monitoring"] = p.monitoring
        rec["messageRecords"] = p.messages
        rec["agentParticipants"] = p.agents
        rec["consumerParticipant" if p.legacy else "consumerParticipants"] = p.consumers
        rec["transfers"] = p.transfers
        rec["interactions"] = p.interactions
        if not p.legacy:
            rec["dialogs"] = p.dialogs
        rec["messageScore" if p.legacy else "messageScores"] = p.scores
        rec["messageStatuses"] = p.statuses
        rec["conversationSurveys"] = p.surveys
        if p.cobrowse:
            rec["coBrowseSessions"] = {"coBrowseSessionsList": p.cobrowse}
        if p.sdes:
            rec["sdes"] = {"events": p.sdes}
        if p.unauth:
            rec["unAuthSdes"] = {"events": p.unauth}
        if not p.legacy:
            rec["responseTime"] = p.response_time
        if p.summary is not None:
            rec["summary"] = p.summary
        if p.intents:
            rec["intents"] = p.intents
        if p.agent_surveys:
            rec["latestAgentSurvey"] = p.agent_surveys[-1]
            rec["previouslySubmittedAgentSurveys"] = p.agent_surveys
        return rec

    def open_record(self, plan: _Plan) -> dict:
        """An earlier OPEN export: only what had happened by a cut half-way through."""
        p = plan
        msgs = p.messages
        cut = msgs[max(1, len(msgs) // 2) - 1]["timeL"] + 1
        info = dict(p.info)
        for key in ("closeReason", "closeReasonDescription", "csatRate"):
            info.pop(key, None)
        info.update(
            status="OPEN",
            endTime="undefined",
            endTimeL=-1,
            duration=cut - p.start,
            latestQueueState="ACTIVE",
        )
        if not p.legacy:
            info.update(
                conversationEndTime="undefined",
                conversationEndTimeL=-1,
                fullDialogEndTime="undefined",
                fullDialogEndTimeL=-1,
                fullDialogStatus="OPEN",
            )
        if p.transfers and p.transfers[0]["timeL"] > cut:  # not transferred yet
            src = p.transfers[0]
            info.update(latestSkillId=src["sourceSkillId"], latestSkillName=src["sourceSkillName"])

        def before(items: list[dict], key: str = "timeL") -> list[dict]:
            return [i for i in items if i.get(key, 0) < cut]

        rec: dict[str, Any] = {"info": info}
        if not p.legacy:
            rec["campaign"] = p.campaign
            rec["monitoring"] = p.monitoring
        rec["messageRecords"] = before(p.messages)
        rec["agentParticipants"] = before(p.agents)
        rec["consumerParticipant" if p.legacy else "consumerParticipants"] = p.consumers
        rec["transfers"] = before(p.transfers)
        rec["interactions"] = before(p.interactions, "interactionTimeL")
        if not p.legacy:
            main = dict(p.dialogs[0], status="OPEN", endTime="undefined", endTimeL=-1)
            for key in ("closeReason", "closeReasonDescription"):
                main.pop(key, None)
            rec["dialogs"] = [main]
        rec["messageScore" if p.legacy else "messageScores"] = before(p.scores)
        rec["messageStatuses"] = before(p.statuses)
        rec["conversationSurveys"] = []
        sdes = [e for e in p.sdes if event_time(e) < cut]
        unauth = [e for e in p.unauth if event_time(e) < cut]
        if sdes:
            rec["sdes"] = {"events": sdes}
        if unauth:
            rec["unAuthSdes"] = {"events": unauth}
        if not p.legacy:
            rec["responseTime"] = p.response_time
        return rec

    # -- parts ------------------------------------------------------------------------------------

    def _message(
        self,
        rng: random.Random,
        cid: str,
        dialog: str,
        seq: int,
        t: int,
        sender: str,
        pid: str,
        text: str,
        legacy: bool,
    ) -> dict:
        rich = sender == "Agent" and rng.random() < 0.08
        data: dict[str, Any]
        if rich:
            data = {"richContent": {"content": RICH_CONTENT}}
        else:
            data = {"msg": {"text": text}}
        if sender == "Agent" and rng.random() < 0.1:
            data["quickReplies"] = {"content": quick_replies(["Yes", "No"])}
        msg = {
            "type": "RICH_CONTENT" if rich else "TEXT_PLAIN",
            "messageData": data,
            "messageId": f"ms::conv:{cid}::msg:{seq}",
            "seq": seq,
            "dialogId": "undefined" if legacy else dialog,
            "participantId": pid,
            "source": "APP",
            "time": fmt_time(t),
            "timeL": t,
            "device": "undefined",
            "sentBy": sender,
        }
        if not legacy:
            msg["audience"] = "ALL"
        return msg

    def _bot_context(self, rng: random.Random) -> dict:
        chosen = rng.sample(BOT_INTENTS, k=rng.randint(1, 2))
        intents = [
            {"id": i, "confidence": c, "confidenceScore": round(rng.uniform(0.3, 0.99), 3)}
            for i, c in chosen
        ]
        ext = f"bot-{rng.randrange(10**6)}"
        raw = [
            {
                "type": "BotResponse",
                "intents": intents,
                "externalConversationId": ext,
                "businessCases": ["orders"],
            },
            {"type": "ActionReason", "reason": "intent matched", "reasonId": "r1"},
        ]
        return {
            "rawMetadata": orjson.dumps(raw).decode(),
            "structuredMetadata": [
                {
                    "botResponse": {
                        "externalConversationId": ext,
                        "businessCases": ["orders"],
                        "intents": intents,
                    }
                },
                {"actionReason": {"reason": "intent matched"}},
            ],
        }

    @staticmethod
    def _agent_participant(
        agent: tuple, t: int, dialog: str, legacy: bool, bot: bool = False
    ) -> dict:
        p = {
            "agentFullName": agent[1],
            "agentNickname": agent[2],
            "agentLoginName": agent[3],
            "agentId": agent[0],
            "userType": "2" if bot else "1",
            "userTypeName": "Bot" if bot else "Human",
            "role": "ASSIGNED_AGENT" if bot else "AGENT",
            "agentGroupName": agent[5],
            "agentGroupId": agent[4],
            "time": fmt_time(t),
            "timeL": t,
            "permission": "ASSIGNED_AGENT",
        }
        if not legacy:
            p["dialogId"] = dialog
        return p

    @staticmethod
    def _transfer(
        rng: random.Random, t: int, src: tuple, dst: tuple, agent: tuple, dialog: str, legacy: bool
    ) -> dict:
        tr = {
            "timeL": t,
            "time": fmt_time(t),
            "assignedAgentId": "null",
            "targetSkillId": dst[0],
            "targetSkillName": dst[1],
            "reason": rng.choice(["Skill", "Agent", "Back2Q"]),
            "by": agent[0],
            "sourceSkillId": src[0],
            "sourceSkillName": src[1],
            "sourceAgentId": agent[0],
            "sourceAgentFullName": agent[1],
            "sourceAgentLoginName": agent[3],
            "sourceAgentNickname": agent[2],
        }
        if not legacy:
            tr["dialogId"] = dialog
        return tr

    @staticmethod
    def _interaction(participant: dict, seq: int, dialog: str, legacy: bool) -> dict:
        t = participant["timeL"] - 6
        i = {
            "assignedAgentId": participant["agentId"],
            "assignedAgentFullName": participant["agentFullName"],
            "assignedAgentLoginName": participant["agentLoginName"],
            "assignedAgentNickname": participant["agentNickname"],
            "interactionTimeL": t,
            "interactionTime": fmt_time(t),
            "interactiveSequence": seq,
        }
        if not legacy:
            i["dialogId"] = dialog
        return i

    @staticmethod
    def _campaign(rng: random.Random) -> dict:
        n = rng.randint(1, 4)
        return {
            "campaignEngagementId": f"23305962{n}2",
            "campaignEngagementName": f"Engagement-{n}",
            "campaignId": f"22667717{n}2",
            "campaignName": rng.choice(["Live_Chat_on_your_site", "Spring sale", "Checkout help"]),
            "goalId": "2266719412",
            "goalName": "Interact with visitors",
            "engagementAgentNote": "agent-note",
            "engagementSource": rng.choice(["WEB_SITE", "SOCIAL", "MOBILE_APP"]),
            "visitorBehaviorId": "2379540212",
            "visitorBehaviorName": "someVisitorBehavior",
            "engagementApplicationId": "28879660-84fd-4cd8-a1d7-ba3247bdb252",
            "engagementApplicationName": "Brand Mobile App",
            "engagementApplicationTypeId": "92274cfd-29e7-4d94-a013-0646212d8075",
            "engagementApplicationTypeName": "Mobile App",
            "visitorProfileId": "2286779312",
            "visitorProfileName": "All visitors",
            "lobId": 2389848512,
            "lobName": rng.choice(["retail", "finance"]),
            "locationId": "2266779612",
            "locationName": "Entire site",
            "profileSystemDefault": True,
            "behaviorSystemDefault": False,
        }

    @staticmethod
    def _agent_surveys(
        rng: random.Random, agent: tuple, skill: tuple, dialog: str, end: int
    ) -> list[dict]:
        out = []
        for k in range(rng.randint(1, 3)):
            submitted = k < 2 and rng.random() < 0.7
            s = {
                "surveyStatus": "SUBMITTED" if submitted else "CLOSED",
                "statusReason": "PARTIALLY_SUBMITTED" if submitted else "timeout",
                "dialogId": dialog,
                "surveyId": "2f053612-8fb4-4899-84a5-69590b245ff4",
                "acSurveyId": "3592872510",
                "acSurveyName": "Agent wrap-up",
                "acSurveyRevision": 24,
                "surveySkillId": skill[0],
                "surveySkillName": skill[1],
                "assignedAgentId": agent[0],
                "assignedAgentNickName": agent[2],
                "assignedAgentName": agent[1],
                "lastUpdateTime": end + 60_000 * (k + 1),
                "submittedAnswers": [],
            }
            if submitted:
                s["performedByAgentId"] = agent[0]
                s["performedByAgentNickName"] = agent[2]
                s["performedByAgentName"] = agent[1]
                s["submittedAnswers"] = [
                    {
                        "questionText": "Reason for contact",
                        "questionId": "1568781637139",
                        "questionDefinition": "REGULAR_QUESTION",
                        "questionCategory": "FREE_TEXT",
                        "answers": [{"answer": rng.choice(["billing", "order"]), "answerId": "1"}],
                    },
                    {
                        "questionText": "Complexity 1-10",
                        "questionId": "1566107405292",
                        "questionDefinition": "REGULAR_QUESTION",
                        "questionCategory": "NUMBER",
                        "answers": [{"answer": str(rng.randint(1, 10)), "answerId": "2"}],
                    },
                ]
            out.append(s)
        return out


def _weighted(rng: random.Random, options: list[tuple]) -> tuple:
    total = sum(o[-1] for o in options)
    r = rng.uniform(0, total)
    for o in options:
        r -= o[-1]
        if r <= 0:
            return o[:-1]
    return options[-1][:-1]


def conversation_stream(count: int, options: ConversationOptions) -> Iterator[dict]:
    """``count`` distinct conversations as records; repeated ones come as two snapshots,
    and a few (``open_only_fraction``) only as an OPEN snapshot.

    A repeated conversation's second snapshot follows 20–250 records later (often on
    another page or file); for a quarter of them the CLOSED snapshot comes first and the
    stale OPEN one after it.
    """
    factory = ConversationFactory(options)
    pending: list[tuple[int, dict]] = []  # (emit at position, record)
    position = 0
    for index in range(count):
        rng = random.Random(f"repeat:{options.seed}:{index}")
        plan = factory.plan(index)
        closed = factory.closed_record(plan)
        roll = rng.random()
        if roll < options.open_only_fraction:  # still open when the export was taken
            yield factory.open_record(plan)
            position += 1
        elif roll < options.open_only_fraction + options.repeat_fraction:
            first, second = factory.open_record(plan), closed
            if rng.random() < 0.25:
                first, second = second, first
            yield first
            position += 1
            pending.append((position + rng.randint(20, 250), second))
        else:
            yield closed
            position += 1
        while pending and pending[0][0] <= position:
            yield pending.pop(0)[1]
            position += 1
        pending.sort(key=lambda p: p[0])
    for _, record in sorted(pending, key=lambda p: p[0]):
        yield record
