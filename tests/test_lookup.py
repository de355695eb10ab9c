"""``lookup`` against a fake arXiv API on 127.0.0.1 serving recorded answers: real files, the real CLI."""

from __future__ import annotations

import dataclasses
import hashlib
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from site_builder.lookup import MIN_DELAY_ENV
from tests.conftest import make_project, run

ANSWERS = Path(__file__).parent / "data" / "lookup"


@dataclass(frozen=True)
class Reply:
    """One canned HTTP answer: a recorded file (or text), a status, headers, and how long to stall first."""

    body: str = ""
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    stall: float = 0.0

    @classmethod
    def file(cls, name: str, status: int = 200) -> Reply:
        return cls((ANSWERS / name).read_text(encoding="utf-8"), status)


@dataclass
class FakeArxiv:
    """Answers by the decoded query; records each request's arrival time and how many were in flight at once."""

    routes: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[tuple[float, str]] = field(default_factory=list)
    max_in_flight: int = 0
    in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def serve(self, key: str, *replies: Reply) -> None:
        """Answer ``key`` with ``replies`` in turn, the last one again and again."""
        self.routes[key] = list(replies)

    def keys(self) -> list[str]:
        return [key for _, key in self.requests]

    def gaps(self) -> list[float]:
        times = [when for when, _ in self.requests]
        return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]

    def reply_to(self, query: str) -> Reply:
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        key = "&".join(f"{name}={value}" for name, values in sorted(params.items()) for value in values)
        with self.lock:
            self.requests.append((time.monotonic(), key))
            replies = self.routes.get(key)
            if not replies:
                return Reply(f"no recorded answer for {key}", 404)
            return replies.pop(0) if len(replies) > 1 else replies[0]


def by_id(arxiv: str) -> str:
    return f"id_list={arxiv}"


def by_title(folded: str) -> str:
    return f'max_results=5&search_query=ti:"{folded}"'


def _handler(fake: FakeArxiv) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            with fake.lock:
                fake.in_flight += 1
                fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
            try:
                reply = fake.reply_to(urllib.parse.urlsplit(self.path).query)
                time.sleep(reply.stall)
                body = reply.body.encode("utf-8")
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)
            finally:
                with fake.lock:
                    fake.in_flight -= 1

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
            """Quiet: the test reads stderr."""

    return Handler


@pytest.fixture
def arxiv() -> Iterator[FakeArxiv]:
    fake = FakeArxiv()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def _offline_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short waits against the fake server; never a proxy or a real arXiv URL from the environment."""
    monkeypatch.setenv(MIN_DELAY_ENV, "0.01")
    monkeypatch.delenv("ARXIV_API_URL", raising=False)
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")


RECORDS = {
    "lion": """\
# Read this one with the Adam paper.
title: Symbolic Discovery of Optimization Algorithms
year: 2022  # as I remembered it
arxiv: '2302.06675'
tags: [optimization]
abstract: We present a method to formulate algorithm discovery as program search.
notes: Compare with **Adam**.
""",
    "lazy-hessians": """\
title: Second-order optimization with lazy Hessians
abstract: >-
  We analyze Newton's method with lazy Hessian updates. This provably improves
  the total arithmetical complexity of second-order algorithms by a factor d.
""",
    "complete": """\
title: 'Adam: A Method for Stochastic Optimization'
authors: [Diederik P. Kingma, Jimmy Ba]
year: 2014
arxiv: '1412.6980'
pdf: https://arxiv.org/pdf/1412.6980
""",
    "entropy-sgd": """\
title: 'Entropy SGD -- biasing gradient descent into WIDE valleys'
tags: [optimization]
""",
    "saddle": """\
title: Identifying the saddle point problem in non-convex optimization
""",
    "unknown-to-arxiv": """\
title: A paper arXiv does not have
""",
}


def project_with(tmp_path: Path, *names: str) -> Path:
    root = make_project(tmp_path / "project", with_site=False)
    for name in names:
        (root / "catalog" / "papers" / f"{name}.yaml").write_text(RECORDS[name], encoding="utf-8")
    return root


def record_text(root: Path, name: str) -> str:
    return (root / "catalog" / "papers" / f"{name}.yaml").read_text(encoding="utf-8")


def record(root: Path, name: str) -> dict:
    return yaml.safe_load(record_text(root, name))


def serve_recorded(arxiv: FakeArxiv) -> None:
    arxiv.serve(by_id("2302.06675"), Reply.file("id-2302.06675.xml"))
    arxiv.serve(by_title("second order optimization with lazy hessians"), Reply.file("title-lazy-hessians.xml"))
    arxiv.serve(by_title("entropy sgd biasing gradient descent into wide valleys"), Reply.file("title-entropy-sgd.xml"))
    arxiv.serve(
        by_title("identifying the saddle point problem in non convex optimization"),
        Reply.file("title-saddle-point-near-miss.xml"),
    )
    arxiv.serve(by_title("a paper arxiv does not have"), Reply.file("title-no-results.xml"))


def lookup(root: Path, arxiv: FakeArxiv, *args: str, delay: float = 0.05) -> int:
    return run(root, "lookup", "--base-url", arxiv.url, "--delay", str(delay), *args)


# --- filling records ------------------------------------------------------------------------------------------------


def test_missing_fields_are_filled_and_hand_edits_survive(
    tmp_path: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_with(tmp_path, "lion", "lazy-hessians", "complete")
    serve_recorded(arxiv)
    assert lookup(root, arxiv) == 0
    out, err = capsys.readouterr()

    lion = record(root, "lion")
    assert lion["authors"][:2] == ["Xiangning Chen", "Chen Liang"] and lion["authors"][-1] == "Quoc V. Le"
    assert len(lion["authors"]) == 12
    assert (lion["venue"], lion["category"], lion["pdf"]) == (
        "NeurIPS 2023",
        "cs.LG",
        "https://arxiv.org/pdf/2302.06675v4",
    )
    assert lion["year"] == 2022  # the curator's differing value is kept ...
    conflict = next(line for line in err.splitlines() if "year: conflict" in line)
    assert conflict.startswith(".cache/arxiv/")  # ... and reported at the answer's entry
    assert conflict.endswith(":10: year: conflict: catalog/papers/lion.yaml has '2022'; kept the catalog's value")
    assert (lion["tags"], lion["notes"]) == (["optimization"], "Compare with **Adam**.")
    assert lion["abstract"] == "We present a method to formulate algorithm discovery as program search."
    text = record_text(root, "lion")
    assert text.startswith(
        "# Read this one with the Adam paper.\ntitle: Symbolic Discovery of Optimization Algorithms\n"
    )
    assert "year: 2022  # as I remembered it\n" in text and "tags: [optimization]\n" in text

    lazy = record(root, "lazy-hessians")
    assert (lazy["arxiv"], lazy["year"], lazy["category"]) == ("2212.00781", 2022, "math.OC")
    assert lazy["authors"] == ["Nikita Doikov", "El Mahdi Chayti", "Martin Jaggi"]
    assert lazy["abstract"].endswith("by a factor d.")  # the record had an abstract: arXiv's is not forced on it

    assert record_text(root, "complete") == RECORDS["complete"]  # nothing missing: not asked for, not rewritten
    assert arxiv.keys() == [by_title("second order optimization with lazy hessians"), by_id("2302.06675")]  # by id
    assert "lookup: 2 updated, 1 unchanged, 0 not found, 0 failed, 1 conflicts (catalog values kept)" in out
    assert run(root, "check") == 0


def test_title_lookup_accepts_only_an_exact_folded_title(
    tmp_path: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_with(tmp_path, "entropy-sgd", "saddle", "unknown-to-arxiv")
    serve_recorded(arxiv)
    monkeypatch.setenv("ARXIV_API_URL", arxiv.url)  # the base URL from the environment this time
    assert run(root, "lookup", "--delay", "0.05") == 0
    out, err = capsys.readouterr()
    entropy = record(root, "entropy-sgd")
    # The answer lists a PAC-Bayes paper about Entropy-SGD first; only the same title (case and dashes aside) counts.
    assert (entropy["arxiv"], entropy["year"]) == ("1611.01838", 2016)
    assert entropy["authors"][0] == "Pratik Chaudhari" and len(entropy["authors"]) == 9
    assert entropy["abstract"].startswith("This paper proposes a new optimization algorithm called Entropy-SGD")
    assert entropy["title"] == "Entropy SGD -- biasing gradient descent into WIDE valleys"  # titles are never merged
    assert record_text(root, "saddle") == RECORDS["saddle"]  # a similar title is not the same paper
    assert record_text(root, "unknown-to-arxiv") == RECORDS["unknown-to-arxiv"]
    assert "catalog/papers/saddle.yaml: not found: no result has exactly this title" in err
    assert "lookup: 1 updated, 0 unchanged, 2 not found, 0 failed, 0 conflicts" in out


def test_only_the_papers_named_are_looked_up(tmp_path: Path, arxiv: FakeArxiv) -> None:
    root = project_with(tmp_path, "lion", "lazy-hessians")
    serve_recorded(arxiv)
    assert lookup(root, arxiv, "lion") == 0
    assert arxiv.keys() == [by_id("2302.06675")]
    assert record_text(root, "lazy-hessians") == RECORDS["lazy-hessians"]


def test_an_unknown_id_is_refused(tmp_path: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]) -> None:
    root = project_with(tmp_path, "lion")
    assert lookup(root, arxiv, "lion", "no-such-paper") == 2
    assert "catalog/papers/no-such-paper.yaml: no paper with id 'no-such-paper'" in capsys.readouterr().err
    assert arxiv.requests == []


def test_no_request_when_nothing_is_missing(
    tmp_path: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_with(tmp_path, "complete")
    assert lookup(root, arxiv) == 0
    assert lookup(root, arxiv, "complete") == 0
    assert arxiv.requests == []
    assert record_text(root, "complete") == RECORDS["complete"]
    assert not (root / ".cache").exists()
    out = capsys.readouterr().out
    assert out.count("lookup: 0 updated, 1 unchanged, 0 not found, 0 failed, 0 conflicts") == 2


# --- pacing, cache, retries ----------------------------------------------------------------------------------------


def test_requests_are_one_at_a_time_and_spaced_by_the_delay(tmp_path: Path, arxiv: FakeArxiv) -> None:
    root = project_with(tmp_path, "lion", "lazy-hessians", "entropy-sgd")
    serve_recorded(arxiv)
    assert lookup(root, arxiv, delay=0.4) == 0
    assert len(arxiv.requests) == 3
    assert min(arxiv.gaps()) >= 0.4
    assert arxiv.max_in_flight == 1


def test_the_production_minimum_of_3_seconds_cannot_be_lowered_by_delay(
    tmp_path: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MIN_DELAY_ENV)
    root = project_with(tmp_path, "lion", "lazy-hessians")
    serve_recorded(arxiv)
    assert lookup(root, arxiv, delay=0.5) == 0
    assert len(arxiv.requests) == 2 and arxiv.gaps()[0] >= 3.0
    assert "--delay 0.5 is below arXiv's minimum; waiting 3 s between requests" in capsys.readouterr().err


def test_answers_are_cached_and_a_second_run_asks_nothing(tmp_path: Path, arxiv: FakeArxiv) -> None:
    root = project_with(tmp_path, "lion", "lazy-hessians")
    serve_recorded(arxiv)
    assert lookup(root, arxiv, delay=1.0) == 0
    after_first = {name: record_text(root, name) for name in ("lion", "lazy-hessians")}
    cached = sorted(path.name for path in (root / ".cache" / "arxiv").iterdir())
    urls = [
        f"{arxiv.url}?id_list=2302.06675",
        f"{arxiv.url}?search_query=ti%3A%22second+order+optimization+with+lazy+hessians%22&max_results=5",
    ]
    assert cached == sorted(hashlib.sha256(url.encode()).hexdigest() + ".xml" for url in urls)

    for name, text in RECORDS.items():  # the records lack the fields again: a second lookup is needed
        if name in after_first:
            (root / "catalog" / "papers" / f"{name}.yaml").write_text(text, encoding="utf-8")
    arxiv.requests.clear()
    started = time.monotonic()
    assert lookup(root, arxiv, delay=1.0) == 0
    assert time.monotonic() - started < 1.0  # no waiting between cached answers
    assert arxiv.requests == []
    assert {name: record_text(root, name) for name in after_first} == after_first


def test_a_503_is_retried_after_the_retry_after_it_gives(tmp_path: Path, arxiv: FakeArxiv) -> None:
    root = project_with(tmp_path, "lion")
    busy = Reply("Service Unavailable", 503, (("Retry-After", "1"),))
    arxiv.serve(by_id("2302.06675"), busy, Reply.file("id-2302.06675.xml"))
    assert lookup(root, arxiv) == 0
    assert arxiv.keys() == [by_id("2302.06675")] * 2
    assert arxiv.gaps()[0] >= 1.0
    assert record(root, "lion")["category"] == "cs.LG"


def test_retries_back_off_and_stop_after_three_attempts_and_the_rest_go_on(
    tmp_path: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_with(tmp_path, "lion", "lazy-hessians")
    serve_recorded(arxiv)
    arxiv.serve(by_id("2302.06675"), Reply("overloaded", 503))
    assert lookup(root, arxiv, delay=0.1) == 1
    out, err = capsys.readouterr()
    assert arxiv.keys().count(by_id("2302.06675")) == 3
    lion_times = [when for when, key in arxiv.requests if key == by_id("2302.06675")]
    assert lion_times[1] - lion_times[0] >= 0.2 and lion_times[2] - lion_times[1] >= 0.4  # 2x, then 4x the delay
    assert "catalog/papers/lion.yaml: failed: HTTP 503 Service Unavailable (gave up after 3 attempts)" in err
    assert record_text(root, "lion") == RECORDS["lion"]
    assert record(root, "lazy-hessians")["arxiv"] == "2212.00781"
    assert "lookup: 1 updated, 0 unchanged, 0 not found, 1 failed, 0 conflicts (catalog values kept); rerun" in out
    assert not any(path.read_text().startswith("overloaded") for path in (root / ".cache" / "arxiv").iterdir())


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply("Not Found", 404), "HTTP 404 Not Found"),
        (
            Reply.file("error-bad-id.xml", 400),
            "HTTP 400 Bad Request: arXiv answered with an error: incorrect id format for 2302.0667x",
        ),
    ],
    ids=["404", "400-with-arxiv-error"],
)
def test_a_client_error_is_not_retried(
    tmp_path: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str], reply: Reply, reason: str
) -> None:
    root = project_with(tmp_path, "lion")
    arxiv.serve(by_id("2302.06675"), reply)
    assert lookup(root, arxiv) == 1
    assert len(arxiv.requests) == 1
    assert f"catalog/papers/lion.yaml: failed: {reason}" in capsys.readouterr().err
    assert record_text(root, "lion") == RECORDS["lion"]


def test_a_timeout_is_retried(tmp_path: Path, arxiv: FakeArxiv) -> None:
    root = project_with(tmp_path, "lion")
    answer = Reply.file("id-2302.06675.xml")
    arxiv.serve(by_id("2302.06675"), dataclasses.replace(answer, stall=1.0), answer)
    assert lookup(root, arxiv, "--timeout", "0.3") == 0
    assert len(arxiv.requests) == 2
    assert record(root, "lion")["venue"] == "NeurIPS 2023"


def test_a_server_that_cannot_be_reached_fails_after_three_attempts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_with(tmp_path, "lion")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert run(root, "lookup", "--base-url", f"http://127.0.0.1:{port}/api/query", "--delay", "0.01") == 1
    err = capsys.readouterr().err
    assert "catalog/papers/lion.yaml: failed: cannot connect:" in err and "(gave up after 3 attempts)" in err


# --- output ---------------------------------------------------------------------------------------------------------


def test_progress_is_one_line_per_paper_off_a_terminal_and_quiet_silences_it(
    tmp_path: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_with(tmp_path, "lion", "lazy-hessians")
    serve_recorded(arxiv)
    assert lookup(root, arxiv) == 0
    progress = [line for line in capsys.readouterr().err.splitlines() if line.startswith("lookup ")]
    assert progress == [
        "lookup 1/2 lazy-hessians: updated: authors, year, arxiv, pdf, category",
        "lookup 2/2 lion: updated: authors, pdf, category, venue",
    ]
    for quiet in (["--quiet", "lookup"], ["lookup", "--quiet"]):  # before or after the command name
        for name in ("lion", "lazy-hessians"):
            (root / "catalog" / "papers" / f"{name}.yaml").write_text(RECORDS[name], encoding="utf-8")
        assert run(root, *quiet, "--base-url", arxiv.url, "--delay", "0.05") == 0
        out, err = capsys.readouterr()
        assert err.splitlines() == [
            next(line for line in err.splitlines() if "year: conflict" in line)
        ]  # problems only
        assert "lookup: 2 updated" in out
