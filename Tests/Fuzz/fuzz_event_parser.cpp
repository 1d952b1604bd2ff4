// libFuzzer harness over the event parser (simdjson through CEventJSON) and its RFC 3339 reader.
// Build and run: make fuzz (FUZZ_RUNS, default 1000000). Crashes and sanitizer reports stop the run.
#include "CEventJSON.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static tw_parser *parser = tw_parser_create(65536, 16);
    tw_event_fields fields;
    const char *field = nullptr;
    tw_status status = tw_parse_event(parser, data, size, &fields, &field);
    if (status == TW_OK) {
        // Every string handed out must lie inside memory the parser owns and be readable to its end.
        const tw_string strings[] = {fields.user, fields.id, fields.agent, fields.parent, fields.session, fields.model,
                                     fields.tool, fields.team, fields.tz, fields.prompt, fields.prompt_hash, fields.output_hash};
        volatile uint8_t sink = 0;
        for (const auto &s : strings) {
            for (size_t i = 0; s.data && i < s.length; i++) sink ^= static_cast<uint8_t>(s.data[i]);
        }
        (void)sink;
    }
    int64_t ms;
    tw_parse_rfc3339(reinterpret_cast<const char *>(data), size, &ms);
    return 0;
}
