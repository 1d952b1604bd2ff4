#ifndef TOKENWATCH_CEVENTJSON_H
#define TOKENWATCH_CEVENTJSON_H

/*
 * The hot parse path of TokenWatch: one token-event payload (a JSON object) into flat fields, with simdjson.
 * A tiny C interface so that Swift imports it without C++ interop. Strings point into the parser's own
 * buffers and stay valid until the next call on the same parser; the caller copies what it keeps.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A borrowed string: `data` is NULL when the field was absent or null. */
typedef struct {
    const char *data;
    size_t length;
} tw_string;

/* Every field of the token-event contract, raw: the caller validates ranges and lengths. */
typedef struct {
    int64_t ts_ms;           /* event time, Unix epoch milliseconds */
    int64_t input_tokens;
    int64_t output_tokens;
    tw_string user;
    tw_string id;
    tw_string agent;
    tw_string parent;
    tw_string session;
    tw_string model;
    tw_string tool;
    tw_string team;
    tw_string tz;
    tw_string prompt;
    tw_string prompt_hash;
    tw_string output_hash;
} tw_event_fields;

/* Why a payload was refused. The numbering is part of the Swift mapping; append only. */
typedef enum {
    TW_OK = 0,
    TW_ERR_TOO_LARGE = 1,       /* payload larger than the parser's capacity */
    TW_ERR_JSON = 2,            /* not well-formed JSON */
    TW_ERR_UTF8 = 3,            /* invalid UTF-8 */
    TW_ERR_DEPTH = 4,           /* nested deeper than allowed */
    TW_ERR_NOT_OBJECT = 5,      /* the document is not a JSON object */
    TW_ERR_MISSING_FIELD = 6,   /* a required field is absent (or null) */
    TW_ERR_WRONG_TYPE = 7,      /* a field has the wrong JSON type */
    TW_ERR_BAD_TIMESTAMP = 8,   /* `ts` is not RFC 3339 nor an integer of epoch milliseconds */
    TW_ERR_OUT_OF_RANGE = 9,    /* a number does not fit (token counts: negative or beyond int64) */
    TW_ERR_INTERNAL = 10        /* the parser could not allocate or failed in an unexpected way */
} tw_status;

typedef struct tw_parser tw_parser;

/* A parser for payloads of at most `max_bytes` bytes nested at most `max_depth` levels. NULL if out of memory. */
tw_parser *tw_parser_create(size_t max_bytes, size_t max_depth);
void tw_parser_destroy(tw_parser *parser);

/*
 * Parses one payload. On failure returns the reason and, when the reason concerns one field, sets
 * `*field` to that field's name (a static string); otherwise `*field` is NULL.
 */
tw_status tw_parse_event(tw_parser *parser, const void *data, size_t length, tw_event_fields *out,
                         const char **field);

/* The same as tw_parse_event, always through simdjson's DOM: the reference the fast path of tw_parse_event (a
 * flat reader for plain one-level objects) is compared with. Exposed for tests. */
tw_status tw_parse_event_dom(tw_parser *parser, const void *data, size_t length, tw_event_fields *out,
                             const char **field);

/* Parses an RFC 3339 time into epoch milliseconds. Returns 1 on success, 0 otherwise. Exposed for tests. */
int tw_parse_rfc3339(const char *text, size_t length, int64_t *out_ms);

#ifdef __cplusplus
}
#endif

#endif
