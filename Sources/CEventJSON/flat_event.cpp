// The flat reader: one pass over an event that is what publishers send (one object of plain members), with
// no tape and no second walk. simdjson stays the authority: this reader accepts a payload only where simdjson
// accepts it with the same fields, and hands anything else (nesting, numbers with a sign, fraction or
// exponent, surrogate escapes, invalid UTF-8, any error) to it. Tests/Fuzz compares the two on every input.
#include "event_fields.h"

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tw {
namespace {

bool is_space(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

const uint8_t *skip_space(const uint8_t *p) {
    // Compact JSON has none: one comparison tells.
    while (*p <= ' ' && is_space(*p)) p++;
    return p;
}

// The first byte at or after `p` that a string cannot simply carry: a quote, a backslash, a control
// character, or the lead of a multi-byte character (checked as UTF-8 by the caller). The zero padding after
// the payload ends every scan.
const uint8_t *next_special(const uint8_t *p) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    for (;;) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        // Signed: bytes of 0x80 and above are negative, so below 0x20 too.
        const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                                             _mm_cmplt_epi8(bytes, space));
        const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(special));
        if (mask != 0) return p + __builtin_ctz(mask);
        p += 16;
    }
#else
    while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
    return p;
#endif
}

bool continuation(uint8_t c) { return (c & 0xC0) == 0x80; }

// The length of the well-formed UTF-8 character whose lead byte is at `p` (0x80 or above), or 0: overlong
// forms, surrogates and code points beyond U+10FFFF are not well-formed, as in simdjson's validation.
size_t utf8_length(const uint8_t *p) {
    const uint8_t c = p[0];
    if (c >= 0xC2 && c <= 0xDF) return continuation(p[1]) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        const uint8_t low = c == 0xE0 ? 0xA0 : 0x80, high = c == 0xED ? 0x9F : 0xBF;
        return p[1] >= low && p[1] <= high && continuation(p[2]) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        const uint8_t low = c == 0xF0 ? 0x90 : 0x80, high = c == 0xF4 ? 0x8F : 0xBF;
        return p[1] >= low && p[1] <= high && continuation(p[2]) && continuation(p[3]) ? 4 : 0;
    }
    return 0;
}

int hex_digit(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Writes the character of the escape after a backslash at `p` (`p[0]` is the letter) to `*out`; returns the
// length of the escape after the backslash, or 0 for one left to simdjson (invalid, a surrogate, U+0000).
size_t unescape(const uint8_t *p, uint8_t **out) {
    static const char kSimple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    for (size_t i = 0; i + 1 < sizeof kSimple; i += 2) {
        if (p[0] == static_cast<uint8_t>(kSimple[i])) {
            *(*out)++ = static_cast<uint8_t>(kSimple[i + 1]);
            return 1;
        }
    }
    if (p[0] != 'u') return 0;
    uint32_t code = 0;
    for (int i = 1; i <= 4; i++) {
        const int digit = hex_digit(p[i]);
        if (digit < 0) return 0;
        code = code << 4 | static_cast<uint32_t>(digit);
    }
    if (code == 0 || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    uint8_t *w = *out;
    if (code < 0x80) {
        *w++ = static_cast<uint8_t>(code);
    } else if (code < 0x800) {
        *w++ = static_cast<uint8_t>(0xC0 | code >> 6);
        *w++ = static_cast<uint8_t>(0x80 | (code & 0x3F));
    } else {
        *w++ = static_cast<uint8_t>(0xE0 | code >> 12);
        *w++ = static_cast<uint8_t>(0x80 | (code >> 6 & 0x3F));
        *w++ = static_cast<uint8_t>(0x80 | (code & 0x3F));
    }
    *out = w;
    return 5;
}

// Reads the string whose first byte (after the opening quote) is at `p`, unescaping it in place; returns the
// byte after the closing quote, or nullptr. Keys (`escapes` false) are taken only as written.
__attribute__((noinline)) uint8_t *read_any_string(uint8_t *p, bool escapes, tw_string *text) {
    uint8_t *const start = p;
    uint8_t *run = p;           // the bytes not yet moved to `write`
    uint8_t *write = nullptr;   // where unescaped bytes go, once an escape has been met
    for (;;) {
        uint8_t *q = const_cast<uint8_t *>(next_special(p));
        const uint8_t c = *q;
        if (c >= 0x80) {
            const size_t length = utf8_length(q);
            if (length == 0) return nullptr;
            p = q + length;
            continue;
        }
        if (write) {
            std::memmove(write, run, static_cast<size_t>(q - run));
            write += q - run;
        }
        if (c == '"') {
            text->data = reinterpret_cast<const char *>(start);
            text->length = static_cast<size_t>((write ? write : q) - start);
            return q + 1;
        }
        if (c != '\\' || !escapes) return nullptr;
        if (!write) write = q;
        const size_t length = unescape(q + 1, &write);
        if (length == 0) return nullptr;
        p = run = q + 1 + length;
    }
}

// The same as read_any_string, inline for the string that publishers send: one that ends at its first special
// byte (no escape, nothing beyond ASCII), found by one scan; any other takes the full reader from its start.
inline uint8_t *read_string(uint8_t *p, bool escapes, tw_string *text) {
    const uint8_t *end = next_special(p);
    if (*end != '"') return read_any_string(p, escapes, text);
    text->data = reinterpret_cast<const char *>(p);
    text->length = static_cast<size_t>(end - p);
    return const_cast<uint8_t *>(end) + 1;
}

enum class ValueKind { string, integer, null, boolean };

struct Value {
    ValueKind kind;
    tw_string text;
    int64_t integer;
};

bool ends_value(uint8_t c) { return c == ',' || c == '}' || is_space(c); }

// Reads one value at `p`; returns the byte after it, or nullptr for one left to simdjson.
uint8_t *read_value(uint8_t *p, Value *value) {
    const uint8_t c = *p;
    if (c == '"') {
        value->kind = ValueKind::string;
        return read_string(p + 1, true, &value->text);
    }
    if (c >= '0' && c <= '9') {
        // A leading zero only alone; at most 18 digits, so that every integer read fits in int64.
        int64_t number = c - '0';
        uint8_t *q = p + 1;
        if (c != '0') {
            while (*q >= '0' && *q <= '9' && q - p < 18) number = number * 10 + (*q++ - '0');
        }
        if (!ends_value(*q)) return nullptr;
        value->kind = ValueKind::integer;
        value->integer = number;
        return q;
    }
    const char *literal = c == 'n' ? "null" : c == 't' ? "true" : c == 'f' ? "false" : nullptr;
    if (!literal) return nullptr;
    const size_t length = std::strlen(literal);
    if (std::memcmp(p, literal, length) != 0 || !ends_value(p[length])) return nullptr;
    value->kind = c == 'n' ? ValueKind::null : ValueKind::boolean;
    return p + length;
}

uint64_t load64(const char *p) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    return word;
}

// A name's bytes in two little-endian words, zero beyond its end.
struct PackedName {
    uint64_t low, high;
};

constexpr PackedName pack(std::string_view name) {
    PackedName packed{0, 0};
    for (size_t i = 0; i < name.size() && i < 16; i++) {
        (i < 8 ? packed.low : packed.high) |= uint64_t{static_cast<uint8_t>(name[i])} << (8 * (i % 8));
    }
    return packed;
}

constexpr size_t index_of(std::string_view name) {
    for (size_t i = 0; i < sizeof kFields / sizeof kFields[0]; i++) {
        if (kFields[i].name == name) return i;
    }
    return SIZE_MAX;
}

template <size_t Index>
bool names(PackedName key) {
    constexpr PackedName name = pack(kFields[Index].name);
    return name.low == key.low && name.high == key.high;
}

template <size_t... Indices>
const FieldSpec *among(PackedName key) {
    const FieldSpec *found = nullptr;
    (void)((names<Indices>(key) && (found = &kFields[Indices], true)) || ...);
    return found;
}

// The field a key names, by its length and then its bytes as two words (keys lie inside the padded buffer, so
// 16 bytes can be read from any of them); nullptr for a key of no field.
const FieldSpec *field_named(const tw_string &key) {
    const size_t n = key.length;
    if (n < 2 || n > 13) return nullptr;
    PackedName packed{load64(key.data), load64(key.data + 8)};
    if (n < 8) packed.low &= (uint64_t{1} << (8 * n)) - 1;
    packed.high = n <= 8 ? 0 : packed.high & ((uint64_t{1} << (8 * (n - 8))) - 1);
    switch (n) {
    case 2: return among<index_of("ts"), index_of("id"), index_of("tz")>(packed);
    case 4: return among<index_of("user"), index_of("tool"), index_of("team")>(packed);
    case 5: return among<index_of("agent"), index_of("model")>(packed);
    case 6: return among<index_of("parent"), index_of("prompt")>(packed);
    case 7: return among<index_of("session")>(packed);
    case 11: return among<index_of("prompt_hash"), index_of("output_hash")>(packed);
    case 12: return among<index_of("input_tokens")>(packed);
    case 13: return among<index_of("output_tokens")>(packed);
    default: return nullptr;
    }
}

struct Seen {
    bool ts = false, input = false, output = false;
};

// Stores one member as simdjson's reader does; false where that reader would refuse the event.
bool store(const FieldSpec *spec, const Value &value, tw_event_fields *out, Seen *seen) {
    if (!spec || value.kind == ValueKind::null) return true;
    auto *base = reinterpret_cast<char *>(out);
    switch (spec->kind) {
    case Kind::string_field:
        if (value.kind != ValueKind::string) return false;
        *reinterpret_cast<tw_string *>(base + spec->offset) = value.text;
        return true;
    case Kind::ts:
        if (value.kind == ValueKind::integer) {
            out->ts_ms = value.integer;
        } else if (value.kind != ValueKind::string ||
                   !tw_parse_rfc3339(value.text.data, value.text.length, &out->ts_ms)) {
            return false;
        }
        seen->ts = true;
        return true;
    case Kind::tokens:
        if (value.kind != ValueKind::integer) return false;
        *reinterpret_cast<int64_t *>(base + spec->offset) = value.integer;
        (spec->offset == offsetof(tw_event_fields, input_tokens) ? seen->input : seen->output) = true;
        return true;
    }
    return false;
}

}  // namespace

bool read_flat_event(uint8_t *buffer, size_t length, tw_event_fields *out) {
    std::memset(out, 0, sizeof(*out));
    uint8_t *p = const_cast<uint8_t *>(skip_space(buffer));
    if (*p != '{') return false;
    Seen seen;
    for (;;) {
        p = const_cast<uint8_t *>(skip_space(p + 1));
        tw_string key;
        if (*p != '"' || !(p = read_string(p + 1, false, &key))) return false;
        p = const_cast<uint8_t *>(skip_space(p));
        if (*p != ':') return false;
        p = const_cast<uint8_t *>(skip_space(p + 1));
        Value value;
        if (!(p = read_value(p, &value)) || !store(field_named(key), value, out, &seen)) return false;
        p = const_cast<uint8_t *>(skip_space(p));
        if (*p == '}') break;
        if (*p != ',') return false;
    }
    p = const_cast<uint8_t *>(skip_space(p + 1));
    return p == buffer + length && seen.ts && out->user.data && seen.input && seen.output;
}

}  // namespace tw
