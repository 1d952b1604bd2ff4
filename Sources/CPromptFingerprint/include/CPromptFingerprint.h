#ifndef TOKENWATCH_CPROMPTFINGERPRINT_H
#define TOKENWATCH_CPROMPTFINGERPRINT_H

/*
 * The prompt fingerprint's one pass over UTF-8 text (PromptFingerprint in TokenWatchCore says what it keeps and
 * why): words normalised and hashed byte by byte as they are read, each folded into the exact hash and its
 * shingles offered to the bottom-k sketch as soon as it ends. Nothing is allocated.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How many shingle hashes a sketch keeps at most. */
#define TW_SKETCH_SIZE 64

typedef struct {
    uint64_t exact;       /* the hash of the whole word sequence */
    int64_t words;        /* words in the normalised text */
    size_t sketch_count;  /* values written to the sketch */
} tw_fingerprint;

/*
 * Fingerprints `length` bytes of text (`text` may be NULL when `length` is 0) and writes its sketch (the smallest
 * distinct shingle hashes, in increasing order, at most TW_SKETCH_SIZE) to `sketch`, which holds TW_SKETCH_SIZE
 * values: `sketch_count` of them.
 */
tw_fingerprint tw_fingerprint_text(const uint8_t *text, size_t length, uint32_t *sketch);

/* The FNV-1a 64 hash of `length` bytes followed by the byte 0xFF: the exact hash of an opaque prompt hash. */
uint64_t tw_fingerprint_opaque(const uint8_t *bytes, size_t length);

#ifdef __cplusplus
}
#endif

#endif
