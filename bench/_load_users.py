"""The users of the load benchmark (``load.py`` runs this file with Locust, headless):
one class per role with a day's mix of its pages, each signed in once as the demo
login of its role (password ``do-connect-demo``). Every signed-in class also asks the
baseline page now and then, so the baseline is measured under the same load.

A helper of ``load.py``, not a benchmark itself (``run_all.py`` skips files starting
with ``_``). Request names group pages ("person page" for every /persons/P-…/)."""

from __future__ import annotations

import json
import os
import random
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

from locust import HttpUser, between, task

# Sessions signed in by load.py before the run: {username: [session id, …]}.
_SESSION_FILE = os.environ.get("DOCONNECT_LOAD_SESSIONS", "")
SESSIONS: dict[str, list[str]] = (
    json.loads(Path(_SESSION_FILE).read_text()) if _SESSION_FILE else {}
)

PASSWORD = "do-connect-demo"  # noqa: S105 - the demo city's published password
BASELINE = "baseline (task settings)"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PERSON = re.compile(r'href="(/persons/P-[0-9A-Z]{8}/)"')
STEP = re.compile(r"/referrals/\d+/[a-z-]+/")
PREVIEW = re.compile(r'href="(/transparency/\d{4}/preview/)"')
REPORT = re.compile(r'href="(/public/reports/\d{4}/)"')


class StepForms(HTMLParser):
    """The inbox's step forms with what a person sends by clicking the step's button:
    the fields as filled in on the page, the first choice of a list, and a short text
    where one is asked for (a reason)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._fields: dict[str, str] | None = None
        self._select = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and STEP.fullmatch(a.get("action", "")):
            self._fields = {}
            self.forms.append((a["action"], self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "radio"):
            self._fields[a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._fields[a["name"]] = "Lasttest"
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and a.get("value"):
            self._fields.setdefault(self._select, a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = ""


class SignedIn(HttpUser):
    abstract = True
    username = ""
    wait_time = between(1, 2)  # a person reads a page before the next click

    def on_start(self) -> None:
        # Signed in before the run by load.py (a session of one's own; sign-in is
        # once a day): take the next session of this role, else sign in here.
        if SESSIONS.get(self.username):
            session = SESSIONS[self.username].pop()
            self.client.cookies.set("sessionid", session, domain=urlparse(self.host).hostname)
            return
        page = self.client.get("/login/", name="sign-in form")
        token = CSRF.search(page.text)
        with self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "next": "/",
            },
            name="sign-in",
            catch_response=True,
        ) as answer:
            if "/login" in answer.url:
                answer.failure(f"{self.username} could not sign in")

    @task(1)
    def baseline(self) -> None:
        self.client.get("/tasks/settings/", name=BASELINE)


class CaseWorker(SignedIn):
    weight = 4
    username = "fallberatung"
    persons: list[str] = []

    @task(3)
    def task_page(self) -> None:
        self.client.get("/tasks/", name="task page")

    @task(3)
    def person_list(self) -> None:
        page = self.client.get("/persons/", name="person list")
        self.persons = PERSON.findall(page.text) or self.persons

    @task(4)
    def person_page(self) -> None:
        if self.persons:
            self.client.get(random.choice(self.persons), name="person page")

    @task(2)
    def notes(self) -> None:
        if self.persons:
            self.client.get(random.choice(self.persons) + "notes/", name="person notes")


class ProviderStaff(SignedIn):
    weight = 2
    username = "traeger"

    @task(4)
    def inbox(self) -> None:
        page = self.client.get("/referrals/", name="referral inbox")
        parser = StepForms()
        parser.feed(page.text)
        if parser.forms and random.random() < 0.25:  # now and then a step: accept, decline …
            action, fields = random.choice(parser.forms)
            self.client.post(action, data=fields, name="referral step")


class Coordinator(SignedIn):
    weight = 2
    username = "koordination"
    preview = ""

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/", name="dashboard")

    @task(2)
    def offers(self) -> None:
        self.client.get("/offers/", name="offers")

    @task(2)
    def providers(self) -> None:
        self.client.get("/providers/", name="providers")

    @task(1)
    def report_preview(self) -> None:
        if not self.preview:
            found = PREVIEW.search(self.client.get("/transparency/", name="transparency").text)
            self.preview = found.group(1) if found else ""
        if self.preview:
            self.client.get(self.preview, name="report preview")


class Public(HttpUser):
    weight = 1
    wait_time = between(1, 2)

    @task
    def published_report(self) -> None:
        index = self.client.get("/public/", name="public index")
        report = REPORT.search(index.text)
        if report:
            self.client.get(report.group(1), name="published report")
