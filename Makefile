# TokenWatch: `make demo` and `make test` work on a fresh Debian machine with the Swift 6 toolchain.
# Each installs what is missing (Debian packages, pyzmq for the Python checks), builds and runs.

PREFIX        ?= /usr/local
SWIFT         ?= swift
DEBIAN_PKGS   := libzmq3-dev libsimdjson-dev libjemalloc-dev zlib1g-dev systemd procps prometheus \
                 prometheus-alertmanager chromium
# The OpenTelemetry SDK and its OTLP/HTTP exporters (protobuf and JSON) at versions that go together: the real
# peers of `tokenwatch bridge` in `make test`.
OTEL_PIP      := opentelemetry-sdk==1.45.1 opentelemetry-exporter-otlp-proto-http==1.45.1 \
                 opentelemetry-exporter-otlp-json-http==0.66b1
SUDO          := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN   := .build/release/tokenwatch
DEBUG_BIN     := .build/debug/tokenwatch

.PHONY: all deps build release demo report-demo test lint bench instructions fuzz install uninstall clean proto

all: build

## Install the Debian packages and the Python client library the build and tests need, if missing.
deps:
	@missing=""; for p in $(DEBIAN_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@python3 -c "import zmq" 2>/dev/null || { echo "installing pyzmq"; python3 -m pip install -q pyzmq; }
	@python3 -c "import pyflakes" 2>/dev/null || { echo "installing pyflakes"; python3 -m pip install -q pyflakes; }
	@python3 -c "import opentelemetry.exporter.otlp.json.http, opentelemetry.exporter.otlp.proto.http" 2>/dev/null \
		|| { echo "installing the OpenTelemetry SDK"; python3 -m pip install -q $(OTEL_PIP); }

build: deps
	$(SWIFT) build --product tokenwatch

release: deps
	$(SWIFT) build -c release --product tokenwatch

## The daemon, a traffic generator and a tail together; prints alerts, then what was found and missed.
demo: release
	$(RELEASE_BIN) demo --population agentic

## The per-team report of the agentic demo population, its busywork all in team-3 (seven days, sixty people):
## generate it, report it as one HTML page, print the text report and the page's path.
## REPORT_BIN=$(DEBUG_BIN) uses a debug build instead of building the release.
REPORT_DIR    := .build/report-demo
REPORT_BIN    ?= $(RELEASE_BIN)
report-demo: $(if $(filter $(RELEASE_BIN),$(REPORT_BIN)),release,)
	mkdir -p $(REPORT_DIR)
	$(REPORT_BIN) generate --population agentic --seed 1 --people 60 --days 7 --busywork-team team-3 \
		--output $(REPORT_DIR)/events.jsonl \
		--labels $(REPORT_DIR)/labels.jsonl
	$(REPORT_BIN) report --config Config/tokenwatch.yaml --format html --output $(REPORT_DIR)/report.html \
		$(REPORT_DIR)/events.jsonl
	$(REPORT_BIN) report --config Config/tokenwatch.yaml $(REPORT_DIR)/events.jsonl
	@echo "report: $(abspath $(REPORT_DIR))/report.html"

## Lint, unit and end-to-end tests (Swift Testing), the shipped Prometheus rules (promtool check rules, and
## promtool test rules on hand-made series), the README's Python examples against the real daemon, the bridge
## against real instrumentation libraries (pip-installed under .build/instrumentations; skipped without PyPI
## unless CI=true), then the ecosystem's checkers (promtool, systemd-analyze security and verify, pyflakes), and
## the HTML report in headless Chromium (its figures against the JSON report; screenshots and PDF under
## .build/report-browser/).
test: deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test
	promtool check rules Config/prometheus/tokenwatch.rules.yml
	promtool test rules Config/prometheus/tokenwatch.rules.test.yml
	python3 Tests/Python/check_readme_examples.py $(DEBUG_BIN)
	python3 Tests/Python/check_consumer_example.py $(DEBUG_BIN)
	python3 Tests/Python/check_curve_examples.py $(DEBUG_BIN)
	python3 Tests/Python/check_ecosystem.py $(DEBUG_BIN)
	python3 Tests/Python/check_otel_chain.py $(DEBUG_BIN)
	python3 Tests/Python/check_bridge_edges.py $(DEBUG_BIN)
	python3 Tests/Python/check_instrumentations.py $(DEBUG_BIN)
	python3 Tests/Python/check_shards.py $(DEBUG_BIN)
	python3 Tests/Python/check_report_browser.py $(DEBUG_BIN)

## The project's own rules: swift format with .swift-format (warnings fail), and no source file over 400 lines
## or function over 60.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Benchmarks
	python3 .ci/check_sizes.py

install: release
	install -D -m 0755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/tokenwatch
	install -D -m 0644 systemd/tokenwatch.service $(DESTDIR)/etc/systemd/system/tokenwatch.service
	install -D -m 0644 systemd/tokenwatch-bridge.service $(DESTDIR)/etc/systemd/system/tokenwatch-bridge.service
	install -D -m 0644 systemd/tokenwatch-forward.service $(DESTDIR)/etc/systemd/system/tokenwatch-forward.service
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/tokenwatch/README.md
	@if [ -e $(DESTDIR)/etc/tokenwatch/tokenwatch.yaml ]; then \
		echo "keeping existing /etc/tokenwatch/tokenwatch.yaml"; \
	else \
		install -D -m 0644 Config/tokenwatch.yaml $(DESTDIR)/etc/tokenwatch/tokenwatch.yaml; \
	fi
	@if [ -z "$(DESTDIR)" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

uninstall:
	@if [ -z "$(DESTDIR)" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then \
		systemctl disable --now tokenwatch.service tokenwatch-bridge.service tokenwatch-forward.service 2>/dev/null \
			|| true; fi
	rm -f $(DESTDIR)$(PREFIX)/bin/tokenwatch $(DESTDIR)/etc/systemd/system/tokenwatch.service \
		$(DESTDIR)/etc/systemd/system/tokenwatch-bridge.service $(DESTDIR)/etc/systemd/system/tokenwatch-forward.service
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/tokenwatch
	@echo "left /etc/tokenwatch/, /var/lib/tokenwatch/ and /var/lib/tokenwatch-forward/ in place (configuration and state); remove them by hand if unwanted"
	@if [ -z "$(DESTDIR)" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

clean:
	rm -rf .build

## Benchmarks (release build): ingest against the raw libzmq ceiling, replay against Python, per-stage costs,
## memory per subject, latency at 50 000 events/s. See BENCHMARKS.md. BENCH_SMOKE=1 for a seconds-long run.
bench: deps
	bash Benchmarks/run.sh

## Instructions per event of the decode and detection stages, counted by callgrind: the same in every run, for
## comparing two versions of the code on a shared machine (BENCHMARKS.md, "Instruction counts").
instructions: deps
	@command -v valgrind >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends valgrind; }
	bash Benchmarks/instructions.sh

## Coverage-guided fuzzing of the event parser (libFuzzer with ASan and UBSan, clang from the Swift toolchain).
## FUZZ_RUNS inputs (default one million), starting from the regression corpus in Tests/Fuzz/corpus.
FUZZ_RUNS ?= 1000000
CLANGXX   ?= $(shell command -v clang++ 2>/dev/null || echo /opt/swift/usr/bin/clang++)
fuzz: deps
	mkdir -p .build/fuzz/corpus
	$(CLANGXX) -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -I Sources/CEventJSON/include \
		Tests/Fuzz/fuzz_event_parser.cpp Sources/CEventJSON/event_json.cpp \
		Sources/CEventJSON/flat_event.cpp -lsimdjson -o .build/fuzz/fuzz_event_parser
	.build/fuzz/fuzz_event_parser -runs=$(FUZZ_RUNS) -max_len=4096 .build/fuzz/corpus Tests/Fuzz/corpus

## Regenerates Sources/TokenWatchOTLP/Generated from otlp_subset.proto. Needs protoc (Debian protobuf-compiler)
## and protoc-gen-swift built from apple/swift-protobuf (`swift build -c release --product protoc-gen-swift` in
## a clone, then PROTOC_GEN_SWIFT=that/.build/release/protoc-gen-swift). Not part of the build: the output is
## committed, because building the plugin takes minutes.
PROTOC_GEN_SWIFT ?= protoc-gen-swift
proto:
	protoc --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT) --swift_opt=Visibility=Package \
		--swift_out=Sources/TokenWatchOTLP/Generated -I Sources/TokenWatchOTLP Sources/TokenWatchOTLP/otlp_subset.proto
