#!/usr/bin/env python3
"""An application using the real `openai` client under one real instrumentation, exporting OTLP/HTTP to the
bridge: what check_instrumentations.py runs once per person and library, in the virtual environment holding
the libraries.

Usage: instrumented_app.py LIBRARY BRIDGE_URL OPENAI_BASE_URL USER same|different
LIBRARY: traceloop, openlit, or openai-v2 (its content setting from the environment, its user from
OTEL_RESOURCE_ATTRIBUTES, or with USER_SPANS=path/to/user_spans.py from the README's span processor).
"""
import os
import sys

library, bridge, openai_base, user, prompts = sys.argv[1:6]
CALLS = 12
USER_SPANS = None
if os.environ.get("USER_SPANS"):
    import importlib.util
    spec = importlib.util.spec_from_file_location("user_spans", os.environ["USER_SPANS"])
    USER_SPANS = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(USER_SPANS)


DIFFERENT = [
    "Translate the quarterly report summary into French", "Why does my Rust build fail with a linker error?",
    "Suggest three names for a bakery in Lisbon", "Explain the CAP theorem with an example",
    "Write a haiku about autumn rain", "What is the capital of Mongolia and its population?",
    "Draft a polite reminder about an unpaid invoice", "Compare PostgreSQL and SQLite for a mobile app",
    "List the side effects of ibuprofen", "How do I center a div in CSS grid?",
    "Plan a three-day hiking trip in the Dolomites", "Summarise the plot of Moby Dick in two sentences",
]


def prompt(n):
    return "Summarise my inbox and draft replies" if prompts == "same" else DIFFERENT[n]


def openai_v2():
    from opentelemetry import _logs, trace
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    tracer_provider = TracerProvider()
    if USER_SPANS:
        # The README's processor, which copies the user of the request being served onto its spans.
        tracer_provider.add_span_processor(USER_SPANS.UserSpanProcessor())
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{bridge}/v1/traces")))
    trace.set_tracer_provider(tracer_provider)
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter(endpoint=f"{bridge}/v1/logs")))
    _logs.set_logger_provider(logger_provider)
    try:
        from opentelemetry import _events
        from opentelemetry.sdk._events import EventLoggerProvider
        _events.set_event_logger_provider(EventLoggerProvider(logger_provider))
    except ImportError:
        pass
    OpenAIInstrumentor().instrument()

    def shutdown():
        # Log records first: a record that arrives after its span adds nothing to the call.
        logger_provider.shutdown()
        tracer_provider.shutdown()
    return {}, shutdown


def traceloop():
    from traceloop.sdk import Traceloop
    Traceloop.init(app_name="inbox", api_endpoint=bridge, telemetry_enabled=False)
    Traceloop.set_association_properties({"user_id": user})

    def shutdown():
        from opentelemetry import trace
        trace.get_tracer_provider().force_flush()
    return {}, shutdown


def openlit():
    import json
    import tempfile
    import openlit as library_
    # openlit fetches prices from GitHub unless given them; offline, every call would end in an error.
    prices = os.path.join(tempfile.mkdtemp(), "pricing.json")
    json.dump({"chat": {"gpt-4o-mini": {"promptPrice": 0.00015, "completionPrice": 0.0006}}}, open(prices, "w"))
    library_.init(otlp_endpoint=bridge, application_name="inbox", pricing_json=prices)

    def shutdown():
        from opentelemetry import _logs, trace
        for provider in (_logs.get_logger_provider(), trace.get_tracer_provider()):
            if hasattr(provider, "force_flush"):
                provider.force_flush()
    # openlit records the request's `user` parameter as gen_ai.request.user.
    return {"user": user}, shutdown


def main():
    extra, shutdown = {"openai-v2": openai_v2, "traceloop": traceloop, "openlit": openlit}[library]()
    import openai
    client = openai.OpenAI(base_url=openai_base, api_key="test-key")
    for n in range(CALLS):
        if USER_SPANS:
            USER_SPANS.current_user.set(user)  # what a server does as each request comes in
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "system", "content": "You are terse."},
                                           {"role": "user", "content": prompt(n)}], **extra)
    shutdown()


if __name__ == "__main__":
    main()
