#!/usr/bin/env python3
"""A real browser reads `tokenwatch report --format html`:

- headless Chromium (Debian `chromium`) renders the page of a generated agentic workplace; every figure the
  rendered DOM shows in its tables (calls, tokens by judgement, churn share, per team and day and in total)
  must equal the JSON report's for the same file;
- the two charts are there, one line per team with judged tokens;
- screenshots at a phone's width and a desktop's, and a PDF as printed, are saved under
  .build/report-browser/ (the CI artifacts).

Usage: check_report_browser.py PATH-TO-tokenwatch
"""
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(ROOT, ".build", "report-browser")


class Cells(html.parser.HTMLParser):
    """The text of every cell with data-team, data-day and data-field, and the SVG shapes, as rendered."""

    def __init__(self):
        super().__init__()
        self.cells, self.current, self.polylines, self.svgs = {}, None, 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" and "data-field" in attrs:
            self.current = (attrs["data-team"], attrs["data-day"], attrs["data-field"])
            self.cells[self.current] = ""
        self.polylines += tag == "polyline"
        self.svgs += tag == "svg"

    def handle_endtag(self, tag):
        if tag == "td":
            self.current = None

    def handle_data(self, data):
        if self.current:
            self.cells[self.current] += data


def chromium():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    raise SystemExit("chromium is not installed (Debian package chromium; `make deps` installs it)")


def run_chromium(*arguments):
    # --no-sandbox: the CI container runs as root, where Chromium's sandbox refuses to start.
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--user-data-dir=" + tempfile.mkdtemp(prefix="tokenwatch-chromium-"), *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"chromium exited {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout


def png_size(path):
    with open(path, "rb") as f:
        header = f.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def expected_cells(report):
    """The figures each cell must show, worked out from the JSON report."""
    expected = {}

    def usage(team, day, figures):
        expected[(team, day, "calls")] = sum(figures["calls"].values())
        expected[(team, day, "tokens")] = sum(figures["tokens"].values())
        for judgement in ("progress", "churn", "unknown"):
            expected[(team, day, f"tokens_{judgement}")] = figures["tokens"][judgement]
        expected[(team, day, "churn_share")] = figures["churn_share"]

    for team in report["teams"]:
        usage(team["team"], "total", team["total"])
        for day in team["days"]:
            usage(team["team"], day["day"], day)
    return expected


def main(binary):
    os.makedirs(ARTIFACTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="tokenwatch-report-")
    try:
        events = os.path.join(work, "events.jsonl")
        subprocess.run([binary, "generate", "--population", "agentic", "--people", "40", "--days", "3", "--seed", "4",
                        "--busywork-team", "team-2", "--output", events], check=True, capture_output=True)
        config = os.path.join(ROOT, "Config", "tokenwatch.yaml")
        page = os.path.join(ARTIFACTS, "report.html")
        subprocess.run([binary, "report", "--config", config, "--format", "html", "--output", page, events],
                       check=True, capture_output=True)
        report = json.loads(subprocess.run([binary, "report", "--config", config, "--format", "json", events],
                                           check=True, capture_output=True, text=True).stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    dom = run_chromium("--dump-dom", "file://" + page)
    parsed = Cells()
    parsed.feed(dom)
    expected = expected_cells(report)
    assert len(report["teams"]) >= 4, f"too few teams to compare: {[t['team'] for t in report['teams']]}"
    assert set(parsed.cells) == set(expected), \
        f"cells differ: only in the page {sorted(set(parsed.cells) - set(expected))[:5]}, " \
        f"only in the JSON {sorted(set(expected) - set(parsed.cells))[:5]}"
    for key, value in expected.items():
        shown = parsed.cells[key].strip()
        if key[2] == "churn_share":
            if value is None:
                assert shown == "-", f"{key}: {shown!r}, nothing judged"
            else:
                assert shown.endswith("%") and abs(float(shown[:-1]) - value * 100) <= 0.05 + 1e-9, \
                    f"{key}: the page shows {shown}, the JSON {value}"
        else:
            assert shown == str(value), f"{key}: the page shows {shown!r}, the JSON {value}"
    lines = sum(1 for team in report["teams"] if team["total"]["churn_share"] is not None)
    assert parsed.svgs == 2, f"{parsed.svgs} charts"
    assert parsed.polylines == lines, f"{parsed.polylines} lines for {lines} teams with judged tokens"
    print(f"chromium: {len(expected)} figures of {len(report['teams'])} teams over {len(report['days'])} days "
          "match the JSON report")

    for name, size in (("phone", "412,2400"), ("desktop", "1280,2400")):
        shot = os.path.join(ARTIFACTS, f"report-{name}.png")
        if os.path.exists(shot):
            os.remove(shot)
        run_chromium(f"--window-size={size}", f"--screenshot={shot}", "file://" + page)
        width, height = png_size(shot)
        assert (width, height) == tuple(int(n) for n in size.split(",")), f"{shot}: {width}x{height}"
        print(f"screenshot: {shot} ({width}x{height})")
    pdf = os.path.join(ARTIFACTS, "report.pdf")
    run_chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", "file://" + page)
    with open(pdf, "rb") as f:
        assert f.read(5) == b"%PDF-", "the printed page is not a PDF"
    print(f"printed: {pdf}")


if __name__ == "__main__":
    main(sys.argv[1])
