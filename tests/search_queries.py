"""The search-quality query set: what customers type into the search box, and where it should
lead; and ``run_search``, which puts queries to a built site's own engine and index.

Each query is written as a customer writes it (lower case, stop words, half questions, typos),
with the site-relative page addresses (prefixes) of which one must be among the top three pages
found. ``misspelt`` marks queries with typos: every one of them must find its page.
Queries whose expected pages are not in the built site yet (articles being written) are
reported, and counted once the page exists.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).with_name("search_runner.mjs")


@dataclass(frozen=True)
class Query:
    text: str
    expected: tuple[str, ...]
    misspelt: bool = False


def q(text: str, *expected: str, misspelt: bool = False) -> Query:
    return Query(text, expected, misspelt)


UNDERSTANDING = "understanding/what-are-packages-and-plans/"
REVIEW = "understanding/importance-of-regular-adjustments/"
FOR_RESOURCES = "reasons/upgrading-for-resources/"
FOR_COST = "reasons/downgrading-for-cost/"
FOR_GROWTH = "reasons/scaling-for-growth/"
UPGRADE_PLANS = "upgrading/reviewing-plans/"
UPGRADE_SELECT = "upgrading/selecting-an-upgrade/"
UPGRADE_STEPS = "upgrading/executing-the-upgrade/"
DOWNGRADE_PLANS = "downgrading/reviewing-plans/"
DOWNGRADE_SELECT = "downgrading/selecting-a-downgrade/"
DOWNGRADE_STEPS = "downgrading/executing-the-downgrade/"
CANCELLING = "downgrading/cancelling-instead/"  # 4.4, being written
ASSESS = "scaling/assessing-requirements/"
GROWTH_PLAN = "scaling/choosing-a-plan-for-growth/"
ADDONS = "add-ons/reviewing-add-ons/"
ADDING = "add-ons/adding-or-removing/"
FEATURES_END = "add-ons/when-features-end/"  # 6.3, being written
NOTIFY_UP = "communicating/notifying-users-of-upgrades/"
INFORM_DOWN = "communicating/informing-users-of-downgrades/"
BILLING_INFO = "billing/updating-billing-information/"
PRORATED = "billing/prorated-charges/"
RECORDS = "records/maintaining-records/"
REASONS = "records/noting-reasons/"
HELP = "support/getting-help/"
QUESTIONS = "support/questions-and-concerns/"
GLOSSARY = "glossary/"

QUERIES: tuple[Query, ...] = (
    # 1 Understanding plans
    q("what is a plan", UNDERSTANDING, GLOSSARY),
    q("difference between package and plan", UNDERSTANDING),
    q("what does my plan include", UNDERSTANDING),
    q("how often should i review my plan", REVIEW),
    q("free trial", UNDERSTANDING, CANCELLING, QUESTIONS),
    q("can i try a plan before paying", QUESTIONS, UNDERSTANDING, CANCELLING),
    # 2 Reasons to change
    q("running out of storage", FOR_RESOURCES, ADDONS),
    q("paying too much", FOR_COST),
    q("save money", FOR_COST),
    q("my site is growing fast", FOR_GROWTH, "scaling/"),
    # 3 Upgrading
    q("how do i upgrade my plan", UPGRADE_STEPS, "upgrading/"),
    q("upgrade to business", "upgrading/"),
    q("undo an upgrade", UPGRADE_STEPS, QUESTIONS),
    q("compare plans", UPGRADE_PLANS, DOWNGRADE_PLANS),
    q("monthly or annual", UPGRADE_PLANS, UPGRADE_SELECT, DOWNGRADE_PLANS),
    q("switch to yearly billing", UPGRADE_PLANS, PRORATED, GROWTH_PLAN, UPGRADE_SELECT),
    # 4 Downgrading
    q("downgrade refund", PRORATED, "downgrading/", QUESTIONS),
    q("what do i lose if i downgrade", DOWNGRADE_SELECT, DOWNGRADE_STEPS, INFORM_DOWN),
    q("over the limit after downgrading", DOWNGRADE_STEPS, QUESTIONS),
    q("downsize my plan", "downgrading/", FOR_COST),
    q("cheaper plan", "downgrading/", FOR_COST),
    q("cancel my account", CANCELLING),
    q("close my account", CANCELLING),
    # 5 Scaling for growth
    q("how much storage do i need", ASSESS),
    q("estimate future usage", ASSESS),
    q("talk to sales", GROWTH_PLAN, HELP),
    q("enterprise plan", HELP, GROWTH_PLAN),
    # 6 Add-ons and features
    q("add more seats", ADDING, ADDONS),
    q("remove an addon", ADDING),
    q("extra bandwidth", ADDONS),
    q("sso", ADDONS),
    q("saml", ADDONS),
    q("what happens to my backups if i downgrade", FEATURES_END),
    q("lose my data when an add-on ends", FEATURES_END, ADDING),
    # 7 Communicating changes
    q("tell my team about the upgrade", NOTIFY_UP),
    q("email to users about a downgrade", INFORM_DOWN),
    # 8 Billing and payments
    q("why was i charged twice", QUESTIONS),
    q("change my credit card", BILLING_INFO),
    q("billing address", BILLING_INFO),
    q("where do i add my tax id", BILLING_INFO),
    q("vat number", BILLING_INFO),
    q("payment failed", BILLING_INFO, UPGRADE_STEPS),
    q("prorated charges", PRORATED),
    q("why is my invoice higher", QUESTIONS, PRORATED),
    q("billing date is the 31st", PRORATED, QUESTIONS),
    q("credit instead of refund", QUESTIONS, PRORATED),
    # 9 Documenting changes
    q("export change history", RECORDS),
    q("reason codes", REASONS),
    q("how long are records kept", RECORDS),
    q("forgot to add a reason", REASONS),
    # 10 Support
    q("contact support", HELP, "support/"),
    q("support response time", HELP),
    q("my upgrade disappeared", QUESTIONS),
    q("grace period", DOWNGRADE_STEPS, GLOSSARY),
    q("billing anchor", GLOSSARY, PRORATED),
    # Misspelt: one or two typos per word
    q("proratd", PRORATED, misspelt=True),
    q("donwgrade", "downgrading/", misspelt=True),
    q("invoce", PRORATED, QUESTIONS, BILLING_INFO, misspelt=True),
    q("billing adress", BILLING_INFO, misspelt=True),
    q("upgarde my plan", "upgrading/", misspelt=True),
    q("refnud", PRORATED, QUESTIONS, misspelt=True),
    q("extra storrage", ADDONS, misspelt=True),
    q("paymnet method", BILLING_INFO, misspelt=True),
    q("recieve a reciept", BILLING_INFO, PRORATED, misspelt=True),
    q("grace peroid", DOWNGRADE_STEPS, GLOSSARY, misspelt=True),
)


def run_search(site: Path, queries: Sequence[str]) -> list[dict[str, Any]]:
    """Each query's answer from the built site's search (tests/search_runner.mjs): ``results``
    (pages best first, each with ``page``, ``title``, ``sections``), ``alternatives`` (the
    synonyms searched too) and ``closest`` (the closest topics, when nothing matched)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js (`node`) is needed to run the site's search engine")
    result = subprocess.run(
        [node, str(RUNNER)],
        input=json.dumps({"site": str(site), "queries": list(queries)}),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"search runner failed:\n{result.stderr}")
    answers: list[dict[str, Any]] = json.loads(result.stdout)
    return answers


def top_pages(answer: dict[str, Any], count: int = 3) -> list[str]:
    return [result["page"] for result in answer["results"][:count]]


def hits(query: Query, pages: Sequence[str]) -> bool:
    return any(page.startswith(prefix) for page in pages for prefix in query.expected)


def judged(query: Query, site: Path) -> bool:
    """A query counts once one of its expected pages is in the site (articles being written
    are not yet)."""
    return any((site / prefix).is_dir() for prefix in query.expected)
