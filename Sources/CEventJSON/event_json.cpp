#include "CEventJSON.h"
#include "event_fields.h"

#include <simdjson.h>

#include <cstring>
#include <memory>
#include <new>
#include <string_view>

using namespace simdjson;

struct tw_parser {
    dom::parser dom;
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: payloads are copied into this padded buffer.
    std::unique_ptr<uint8_t[]> buffer;
    size_t capacity;
    // Whether simdjson accepts an object of one level within this parser's depth: only then may the flat
    // reader answer for it.
    bool reads_flat;
};

extern "C" tw_parser *tw_parser_create(size_t max_bytes, size_t max_depth) {
    auto *parser = new (std::nothrow) tw_parser();
    if (!parser) return nullptr;
    if (parser->dom.allocate(max_bytes, max_depth) != SUCCESS) {
        delete parser;
        return nullptr;
    }
    parser->buffer.reset(new (std::nothrow) uint8_t[max_bytes + SIMDJSON_PADDING]);
    if (!parser->buffer) {
        delete parser;
        return nullptr;
    }
    parser->capacity = max_bytes;
    static const char kFlat[] = "{\"a\":0}";
    parser->reads_flat = false;
    if (max_bytes < sizeof kFlat) return parser;
    std::memcpy(parser->buffer.get(), kFlat, sizeof kFlat - 1);
    std::memset(parser->buffer.get() + sizeof kFlat - 1, 0, SIMDJSON_PADDING);
    dom::element root;
    parser->reads_flat = parser->dom.parse(parser->buffer.get(), sizeof kFlat - 1, false).get(root) == SUCCESS;
    return parser;
}

extern "C" void tw_parser_destroy(tw_parser *parser) { delete parser; }

namespace {

bool digits(const char *p, int n, int *value) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10 + (p[i] - '0');
    }
    *value = v;
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

uint64_t load64(const char *p) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    return word;
}

// Whether the bytes of `word` under `digits` (0xFF per byte) are ASCII digits and those under `fixed` equal
// `expected`: a digit is 0x3_ and stays 0x3_ with 6 added (no byte with a carry passes the first test).
bool matches(uint64_t word, uint64_t digits, uint64_t fixed, uint64_t expected) {
    const uint64_t high = 0xF0F0F0F0F0F0F0F0ULL & digits, thirty = 0x3030303030303030ULL & digits;
    return (word & fixed) == expected && (word & high) == thirty && ((word + 0x0606060606060606ULL) & high) == thirty;
}

int two(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

// The time of the form publishers nearly always send, `YYYY-MM-DDTHH:MM:SS.mmmZ`, checked as three words; 0
// for anything else, which the full parser then reads (or refuses) as it would have.
int parse_canonical_utc(const char *s, size_t n, int64_t *out_ms) {
    if (n != 24) return 0;
    // Little-endian words: "YYYY-MM-", "DDTHH:MM", ":SS.mmmZ".
    if (!matches(load64(s), 0x00FFFF00FFFFFFFFULL, 0xFF0000FF00000000ULL, 0x2D00002D00000000ULL) ||
        !matches(load64(s + 8), 0xFFFF00FFFF00FFFFULL, 0x0000FF0000FF0000ULL, 0x00003A0000540000ULL) ||
        !matches(load64(s + 16), 0x00FFFFFF00FFFF00ULL, 0xFF000000FF0000FFULL, 0x5A0000002E00003AULL))
        return 0;
    const int year = two(s) * 100 + two(s + 2), month = two(s + 5), day = two(s + 8);
    const int hour = two(s + 11), minute = two(s + 14), second = two(s + 17);
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return 0;
    if (day > month_days[month - 1] + (month == 2 && is_leap(year) ? 1 : 0)) return 0;
    const int64_t millis = (s[20] - '0') * 100 + (s[21] - '0') * 10 + (s[22] - '0');
    const int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    *out_ms = (days * 86400 + hour * 3600 + minute * 60 + second) * 1000 + millis;
    return 1;
}

}  // namespace

extern "C" int tw_parse_rfc3339(const char *s, size_t n, int64_t *out_ms) {
    if (parse_canonical_utc(s, n, out_ms)) return 1;
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM); 't', 'z' and a space separator are allowed by RFC 3339.
    if (n < 20) return 0;
    int year, month, day, hour, minute, second;
    if (!digits(s, 4, &year) || s[4] != '-' || !digits(s + 5, 2, &month) || s[7] != '-' ||
        !digits(s + 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &hour) || s[13] != ':' || !digits(s + 14, 2, &minute) || s[16] != ':' ||
        !digits(s + 17, 2, &second))
        return 0;
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return 0;
    int max_day = month_days[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
    if (day > max_day || hour > 23 || minute > 59 || second > 60) return 0;
    if (second == 60) second = 59;  // a leap second is held at :59.
    size_t i = 19;
    int64_t millis = 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t start = i;
        int scale = 100;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            millis += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == start) return 0;
    }
    if (i >= n) return 0;
    int64_t offset_minutes = 0;
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        int oh, om;
        if (n - i != 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' || !digits(s + i + 4, 2, &om) ||
            oh > 23 || om > 59)
            return 0;
        offset_minutes = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return 0;
    }
    if (i != n) return 0;
    int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    *out_ms = seconds * 1000 + millis;
    return 1;
}

extern "C" tw_status tw_parse_event(tw_parser *parser, const void *data, size_t length, tw_event_fields *out,
                                    const char **field) {
    *field = nullptr;
    if (length > parser->capacity) {
        std::memset(out, 0, sizeof(*out));
        return TW_ERR_TOO_LARGE;
    }
    std::memcpy(parser->buffer.get(), data, length);
    std::memset(parser->buffer.get() + length, 0, SIMDJSON_PADDING);
    if (parser->reads_flat && tw::read_flat_event(parser->buffer.get(), length, out)) return TW_OK;
    return tw_parse_event_dom(parser, data, length, out, field);
}

extern "C" tw_status tw_parse_event_dom(tw_parser *parser, const void *data, size_t length, tw_event_fields *out,
                                        const char **field) {
    using namespace tw;
    *field = nullptr;
    std::memset(out, 0, sizeof(*out));
    if (length > parser->capacity) return TW_ERR_TOO_LARGE;
    // Copied again: the flat reader unescapes strings in place.
    std::memcpy(parser->buffer.get(), data, length);
    std::memset(parser->buffer.get() + length, 0, SIMDJSON_PADDING);

    dom::element root;
    auto error = parser->dom.parse(parser->buffer.get(), length, false).get(root);
    switch (error) {
    case SUCCESS: break;
    case UTF8_ERROR: return TW_ERR_UTF8;
    case DEPTH_ERROR: return TW_ERR_DEPTH;
    case CAPACITY: return TW_ERR_TOO_LARGE;
    case MEMALLOC: return TW_ERR_INTERNAL;
    default: return TW_ERR_JSON;
    }
    dom::object object;
    if (root.get_object().get(object) != SUCCESS) return TW_ERR_NOT_OBJECT;

    bool seen_ts = false, seen_input = false, seen_output = false;
    auto *base = reinterpret_cast<char *>(out);
    for (auto member : object) {
        const FieldSpec *spec = nullptr;
        for (const auto &candidate : kFields) {
            if (candidate.name == member.key) {
                spec = &candidate;
                break;
            }
        }
        if (!spec) continue;  // unknown fields are ignored by contract
        dom::element value = member.value;
        if (value.is_null()) continue;  // null is treated as absent
        switch (spec->kind) {
        case Kind::string_field: {
            std::string_view text;
            if (value.get_string().get(text) != SUCCESS) {
                *field = spec->name.data();
                return TW_ERR_WRONG_TYPE;
            }
            auto *target = reinterpret_cast<tw_string *>(base + spec->offset);
            target->data = text.data();
            target->length = text.size();
            break;
        }
        case Kind::ts: {
            *field = "ts";
            if (value.is_string()) {
                std::string_view text = value.get_string().value_unsafe();
                if (!tw_parse_rfc3339(text.data(), text.size(), &out->ts_ms)) return TW_ERR_BAD_TIMESTAMP;
            } else if (value.is_int64()) {
                out->ts_ms = value.get_int64().value_unsafe();
            } else if (value.is_number()) {
                return TW_ERR_BAD_TIMESTAMP;  // a fraction or a number beyond int64
            } else {
                return TW_ERR_WRONG_TYPE;
            }
            *field = nullptr;
            seen_ts = true;
            break;
        }
        case Kind::tokens: {
            *field = spec->name.data();
            int64_t count;
            if (value.is_int64()) {
                count = value.get_int64().value_unsafe();
            } else if (value.is_uint64()) {
                return TW_ERR_OUT_OF_RANGE;
            } else {
                return TW_ERR_WRONG_TYPE;  // strings, booleans, and numbers with a fraction or exponent
            }
            if (count < 0) return TW_ERR_OUT_OF_RANGE;
            *field = nullptr;
            *reinterpret_cast<int64_t *>(base + spec->offset) = count;
            if (spec->name == "input_tokens") seen_input = true; else seen_output = true;
            break;
        }
        }
    }
    if (!seen_ts) { *field = "ts"; return TW_ERR_MISSING_FIELD; }
    if (!out->user.data) { *field = "user"; return TW_ERR_MISSING_FIELD; }
    if (!seen_input) { *field = "input_tokens"; return TW_ERR_MISSING_FIELD; }
    if (!seen_output) { *field = "output_tokens"; return TW_ERR_MISSING_FIELD; }
    return TW_OK;
}
