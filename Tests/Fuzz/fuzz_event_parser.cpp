// libFuzzer harness over the event parser (simdjson through CEventJSON, with its flat reader in front) and its
// RFC 3339 reader. Build and run: make fuzz (FUZZ_RUNS, default 1000000). Crashes, sanitizer reports and any
// input on which the parser's answer differs from simdjson's DOM alone stop the run.
#include "CEventJSON.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

const tw_string *strings_of(const tw_event_fields &f, size_t *count) {
    static thread_local tw_string strings[12];
    const tw_string all[] = {f.user, f.id, f.agent, f.parent, f.session, f.model,
                             f.tool, f.team, f.tz, f.prompt, f.prompt_hash, f.output_hash};
    std::memcpy(strings, all, sizeof all);
    *count = 12;
    return strings;
}

bool same(const tw_string &a, const tw_string &b) {
    if (!a.data || !b.data) return !a.data && !b.data;
    return a.length == b.length && std::memcmp(a.data, b.data, a.length) == 0;
}

void differ(const char *what) {
    std::fprintf(stderr, "the parser and simdjson's DOM differ: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static tw_parser *parser = tw_parser_create(65536, 16);
    static tw_parser *reference = tw_parser_create(65536, 16);
    tw_event_fields fields, expected;
    const char *field = nullptr, *expected_field = nullptr;
    tw_status status = tw_parse_event(parser, data, size, &fields, &field);
    tw_status expected_status = tw_parse_event_dom(reference, data, size, &expected, &expected_field);
    if (status != expected_status) differ("status");
    if ((field == nullptr) != (expected_field == nullptr) || (field && std::strcmp(field, expected_field) != 0))
        differ("field");
    if (status == TW_OK) {
        if (fields.ts_ms != expected.ts_ms || fields.input_tokens != expected.input_tokens ||
            fields.output_tokens != expected.output_tokens)
            differ("numbers");
        size_t count;
        const tw_string *strings = strings_of(fields, &count);
        tw_string copy[12];
        std::memcpy(copy, strings, sizeof copy);
        strings = strings_of(expected, &count);
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < count; i++) {
            if (!same(copy[i], strings[i])) differ("strings");
            // Every string handed out must lie inside memory the parser owns and be readable to its end.
            for (size_t j = 0; copy[i].data && j < copy[i].length; j++) sink ^= static_cast<uint8_t>(copy[i].data[j]);
        }
        (void)sink;
    }
    int64_t ms;
    tw_parse_rfc3339(reinterpret_cast<const char *>(data), size, &ms);
    return 0;
}
