#ifndef TOKENWATCH_CPROMPTFINGERPRINT_H
#define TOKENWATCH_CPROMPTFINGERPRINT_H

/*
 * The prompt fingerprint's one pass over UTF-8 text (PromptFingerprint in TokenWatchCore says what it keeps and
 * why): words normalised and hashed byte by byte as they are read, each folded into the exact hash and its
 * shingles gathered as soon as it ends; then the bottom-k sketch of the shingles. Nothing is allocated.
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

/* How many values `shingles` must hold for a text of `length` bytes: a word takes at least one byte and a
 * separator, so at most (length + 1) / 2 words, and one shingle per word and per pair of neighbours. */
#define TW_SHINGLES_CAPACITY(length) (2 * (((length) + 1) / 2 + 1))

/*
 * Fingerprints `length` bytes of text (`text` may be NULL when `length` is 0). `shingles` holds
 * TW_SHINGLES_CAPACITY(length) values; the sketch (the smallest distinct shingle hashes, in increasing order, at
 * most TW_SKETCH_SIZE) is left at its start, `sketch_count` values.
 */
tw_fingerprint tw_fingerprint_text(const uint8_t *text, size_t length, uint32_t *shingles);

/* The FNV-1a 64 hash of `length` bytes followed by the byte 0xFF: the exact hash of an opaque prompt hash. */
uint64_t tw_fingerprint_opaque(const uint8_t *bytes, size_t length);

#ifdef __cplusplus
}
#endif

#endif
