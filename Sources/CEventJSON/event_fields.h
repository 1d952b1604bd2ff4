// The fields of the token-event contract, shared by the two readers of an event: simdjson's DOM (every
// payload it is asked about) and the flat reader (flat_event.cpp), which accepts only what it understands
// completely and otherwise leaves the payload to simdjson.
#ifndef TOKENWATCH_EVENT_FIELDS_H
#define TOKENWATCH_EVENT_FIELDS_H

#include "CEventJSON.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tw {

enum class Kind { string_field, ts, tokens };

struct FieldSpec {
    std::string_view name;
    Kind kind;
    size_t offset;  // of the tw_string or int64_t inside tw_event_fields
};

#define TW_STRING(name) FieldSpec{#name, Kind::string_field, offsetof(tw_event_fields, name)}
inline constexpr FieldSpec kFields[] = {
    FieldSpec{"ts", Kind::ts, offsetof(tw_event_fields, ts_ms)},
    TW_STRING(user),
    FieldSpec{"input_tokens", Kind::tokens, offsetof(tw_event_fields, input_tokens)},
    FieldSpec{"output_tokens", Kind::tokens, offsetof(tw_event_fields, output_tokens)},
    TW_STRING(id), TW_STRING(agent), TW_STRING(parent), TW_STRING(session), TW_STRING(model),
    TW_STRING(tool), TW_STRING(team), TW_STRING(tz), TW_STRING(prompt), TW_STRING(prompt_hash),
    TW_STRING(output_hash),
};
#undef TW_STRING

// Reads a payload of `length` bytes at `buffer`, followed by at least 64 zero bytes, as a JSON object of
// one level whose members are all plain (strings, non-negative integers of at most 18 digits, true, false,
// null), every field valid. Returns false, with `out` and `buffer` in any state, for anything else: the
// caller then asks simdjson, which decides. Strings are unescaped in place and point into `buffer`.
bool read_flat_event(uint8_t *buffer, size_t length, tw_event_fields *out);

}  // namespace tw

#endif
