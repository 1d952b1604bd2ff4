#include "CPromptFingerprint.h"

#include <string.h>

#define FNV_OFFSET_BASIS 0xCBF29CE484222325ULL
#define FNV_PRIME 0x00000100000001B3ULL
/* The word every number stands for. */
#define NUMBER_TOKEN 0x9E3779B97F4A7C15ULL

/* What a byte is in a word: 0 ends a word; LOOK_ALIKE is the lead byte of a Greek or Cyrillic letter
 * (0xCE-0xD1) or of a fullwidth form (0xEF), read with what follows; otherwise the byte the word hashes (ASCII
 * letters in lower case), with DIGIT set for a digit. */
#define LOOK_ALIKE 0x100
#define DIGIT 0x200

#define BUCKET_BITS 6
#define BUCKETS (1 << BUCKET_BITS)

static uint16_t byte_classes[256];

__attribute__((constructor)) static void fill_byte_classes(void) {
    for (int byte = 0; byte < 256; byte++) {
        uint16_t class = 0;
        if (byte >= 'A' && byte <= 'Z') class = (uint16_t)(byte + 32);
        else if (byte >= 'a' && byte <= 'z') class = (uint16_t)byte;
        else if (byte >= '0' && byte <= '9') class = (uint16_t)(byte | DIGIT);
        else if ((byte >= 0xCE && byte <= 0xD1) || byte == 0xEF) class = LOOK_ALIKE;
        else if (byte >= 0x80) class = (uint16_t)byte;
        byte_classes[byte] = class;
    }
}

static inline uint64_t fnv_add(uint64_t hash, uint8_t byte) { return (hash ^ byte) * FNV_PRIME; }

/* splitmix64's finaliser, so that the bottom-k sample is uniform. */
static inline uint64_t finalize(uint64_t value) {
    uint64_t z = value + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The bottom-k sketch, built as the shingles come. The values are hashes, spread evenly: each goes to one of 64
 * buckets by its top bits, and a prompt of usual length (a few dozen shingles) leaves most buckets with one
 * value at most, so that the occupied buckets in order are the values sorted. A value whose bucket is taken (a
 * repeated word, or a neighbour) is set aside and merged in at the end. When the values set aside fill their
 * room (a long prompt), everything is cut down to the smallest TW_SKETCH_SIZE distinct values, and from then on
 * only a value no larger than the largest of those can enter; the buckets then split the range up to it. */
typedef struct {
    uint64_t occupied; /* bit b: `slots[b]` holds a value */
    uint32_t slots[BUCKETS];
    uint32_t spilled[2 * TW_SKETCH_SIZE];
    size_t spill_count;
    unsigned shift;
    uint32_t limit;
} sketch_builder;

static void sketch_start(sketch_builder *sketch, uint32_t limit) {
    sketch->occupied = 0;
    sketch->spill_count = 0;
    sketch->limit = limit;
    unsigned bits = 32 - (unsigned)__builtin_clz(limit | 1);
    sketch->shift = bits > BUCKET_BITS ? bits - BUCKET_BITS : 0;
}

/* Writes the smallest distinct values, in increasing order and at most TW_SKETCH_SIZE, to `out`; returns how
 * many. */
static size_t sketch_smallest(sketch_builder *sketch, uint32_t *out) {
    uint64_t occupied = sketch->occupied;
    uint32_t *spill = sketch->spilled;
    size_t spilled = sketch->spill_count;
    /* The values set aside, sorted and distinct. None equals the value in its bucket (offer drops those). */
    for (size_t i = 1; i < spilled; i++) {
        uint32_t value = spill[i];
        size_t j = i;
        for (; j > 0 && spill[j - 1] > value; j--) spill[j] = spill[j - 1];
        spill[j] = value;
    }
    size_t distinct = spilled > 0;
    for (size_t i = 1; i < spilled; i++) {
        if (spill[i] != spill[distinct - 1]) spill[distinct++] = spill[i];
    }
    /* Buckets in order, each value set aside placed before or after its bucket's own. */
    uint32_t merged[BUCKETS + 2 * TW_SKETCH_SIZE];
    int fits = distinct == 0 || (size_t)__builtin_popcountll(occupied) + distinct <= TW_SKETCH_SIZE;
    uint32_t *target = fits ? out : merged;
    size_t count = 0;
    for (size_t next = 0; next < distinct; next++) {
        uint32_t value = spill[next];
        unsigned bucket = value >> sketch->shift;
        uint64_t below = ((uint64_t)1 << bucket) - 1;
        for (uint64_t before = occupied & below; before; before &= before - 1) {
            target[count++] = sketch->slots[__builtin_ctzll(before)];
        }
        occupied &= ~below;
        if ((occupied >> bucket & 1) && sketch->slots[bucket] < value) {
            target[count++] = sketch->slots[bucket];
            occupied &= occupied - 1;
        }
        target[count++] = value;
    }
    for (; occupied; occupied &= occupied - 1) target[count++] = sketch->slots[__builtin_ctzll(occupied)];
    if (fits) return count;
    memcpy(out, merged, TW_SKETCH_SIZE * sizeof merged[0]);
    return TW_SKETCH_SIZE;
}

static inline __attribute__((always_inline)) void offer(sketch_builder *sketch, uint32_t value);

static __attribute__((noinline)) void compact(sketch_builder *sketch) {
    uint32_t kept[TW_SKETCH_SIZE];
    size_t count = sketch_smallest(sketch, kept);
    sketch_start(sketch, count == TW_SKETCH_SIZE ? kept[count - 1] : sketch->limit);
    for (size_t i = 0; i < count; i++) offer(sketch, kept[i]);
}

static inline __attribute__((always_inline)) void offer(sketch_builder *sketch, uint32_t value) {
    if (value > sketch->limit) return;
    unsigned bucket = value >> sketch->shift;
    uint64_t bit = (uint64_t)1 << bucket;
    if (sketch->occupied & bit) {
        if (sketch->slots[bucket] == value) return;
        sketch->spilled[sketch->spill_count++] = value;
        if (sketch->spill_count == 2 * TW_SKETCH_SIZE) compact(sketch);
    } else {
        sketch->occupied |= bit;
        sketch->slots[bucket] = value;
    }
}

/* The state of the pass where it leaves the fast loop (at the lead byte of a look-alike). */
typedef struct {
    sketch_builder *sketch;
    uint64_t exact;
    uint64_t previous;
    int64_t words;
    uint64_t hash;
    int in_word;
    int has_digit;
} words_state;

/* Folds a word that has ended into the exact hash, and it and its pair with the word before into the sketch.
 * The exact hash and the pair's take the word's bytes together. */
static inline __attribute__((always_inline)) void fold_word(uint64_t word, sketch_builder *sketch, uint64_t *exact, uint64_t *previous,
                             int64_t *words) {
    uint64_t pair = *previous, value = word;
    uint64_t hash = *exact;
    for (int i = 0; i < 8; i++) {
        hash = fnv_add(hash, (uint8_t)value);
        pair = fnv_add(pair, (uint8_t)value);
        value >>= 8;
    }
    *exact = hash;
    offer(sketch, (uint32_t)finalize(word));
    if (*words > 0) offer(sketch, (uint32_t)finalize(pair));
    *previous = word;
    (*words)++;
}

static void end_word(words_state *state) {
    if (state->in_word) {
        uint64_t word = state->has_digit ? NUMBER_TOKEN : state->hash;
        fold_word(word, state->sketch, &state->exact, &state->previous, &state->words);
    }
    state->in_word = 0;
    state->has_digit = 0;
    state->hash = FNV_OFFSET_BASIS;
}

/* Adds one byte as it is: to the word, or ending it. */
static void add_byte(words_state *state, uint8_t byte) {
    uint16_t class = byte_classes[byte];
    if ((class & 0xFF) == 0 && class != LOOK_ALIKE) {
        end_word(state);
        return;
    }
    /* A look-alike lead added as it is (no letter followed) hashes as the byte itself. */
    uint8_t folded = class == LOOK_ALIKE ? byte : (uint8_t)class;
    state->has_digit |= (class & DIGIT) != 0;
    state->hash = fnv_add(state->hash, folded);
    state->in_word = 1;
}

/* The lower-case ASCII letter a two-byte Greek or Cyrillic letter looks like, or 0 (Confusables.swift). */
static uint8_t latin_look_alike(uint8_t lead, uint8_t trail) {
    switch (((uint32_t)(lead & 0x1F) << 6) | (uint32_t)(trail & 0x3F)) {
    case 0x0410: case 0x0430: case 0x0391: case 0x03B1: return 'a';
    case 0x0412: case 0x0432: case 0x0392: case 0x03B2: return 'b';
    case 0x0415: case 0x0435: case 0x0401: case 0x0451: case 0x0395: case 0x03B5: return 'e';
    case 0x041A: case 0x043A: case 0x039A: case 0x03BA: return 'k';
    case 0x041C: case 0x043C: case 0x039C: return 'm';
    case 0x041D: case 0x043D: case 0x0397: return 'h';
    case 0x041E: case 0x043E: case 0x039F: case 0x03BF: return 'o';
    case 0x0420: case 0x0440: case 0x03A1: case 0x03C1: return 'p';
    case 0x0421: case 0x0441: return 'c';
    case 0x0422: case 0x0442: case 0x03A4: case 0x03C4: return 't';
    case 0x0423: case 0x0443: case 0x03A5: case 0x03C5: return 'y';
    case 0x0425: case 0x0445: case 0x03A7: case 0x03C7: return 'x';
    case 0x0405: case 0x0455: return 's';
    case 0x0406: case 0x0456: case 0x0399: case 0x03B9: return 'i';
    case 0x0408: case 0x0458: return 'j';
    case 0x0396: return 'z';
    case 0x039D: case 0x03BD: return 'n';
    default: return 0;
    }
}

/* The ASCII character a fullwidth form (EF BC xx or EF BD xx, U+FF01-U+FF5E) stands for, or 0. */
static uint8_t fullwidth_ascii(uint8_t second, uint8_t third) {
    uint32_t scalar = 0xF000 | ((uint32_t)(second & 0x3F) << 6) | (uint32_t)(third & 0x3F);
    return scalar >= 0xFF01 && scalar <= 0xFF5E ? (uint8_t)(scalar - 0xFEE0) : 0;
}

/* Adds the character whose look-alike lead byte is at `start`, folded to ASCII when it is a look-alike letter
 * or a fullwidth form; returns where the next one starts. Bytes that do not complete such a character are
 * added as they are, the next one included, so a truncated or malformed sequence makes the same words every
 * time. */
static size_t add_look_alike(words_state *state, const uint8_t *text, size_t length, size_t start) {
    uint8_t lead = text[start];
    if (start + 1 >= length) {
        add_byte(state, lead);
        return start + 1;
    }
    uint8_t second = text[start + 1];
    if (lead != 0xEF) {
        uint8_t latin = latin_look_alike(lead, second);
        if (latin) {
            add_byte(state, latin);
        } else {
            add_byte(state, lead);
            add_byte(state, second);
        }
        return start + 2;
    }
    if ((second != 0xBC && second != 0xBD) || start + 2 >= length) {
        add_byte(state, lead);
        add_byte(state, second);
        return start + 2;
    }
    uint8_t third = text[start + 2];
    uint8_t ascii = fullwidth_ascii(second, third);
    if (ascii) {
        add_byte(state, ascii);
    } else {
        add_byte(state, lead);
        add_byte(state, second);
        add_byte(state, third);
    }
    return start + 3;
}

/* The rest of the text from `i`, byte by byte with look-alikes folded: where the fast loop hands over. */
static void add_rest(words_state *state, const uint8_t *text, size_t length, size_t i) {
    while (i < length) {
        if (byte_classes[text[i]] == LOOK_ALIKE) {
            i = add_look_alike(state, text, length, i);
        } else {
            add_byte(state, text[i]);
            i++;
        }
    }
    end_word(state);
}

tw_fingerprint tw_fingerprint_text(const uint8_t *text, size_t length, uint32_t *sketch) {
    sketch_builder shingles;
    sketch_start(&shingles, UINT32_MAX);
    uint64_t exact = FNV_OFFSET_BASIS, previous = 0;
    int64_t words = 0;
    size_t i = 0;
    /* Word by word while the bytes are ASCII or plain UTF-8; the lead byte of a look-alike hands the rest to
     * add_rest. */
    for (;;) {
        uint16_t class = 0;
        while (i < length && (class = byte_classes[text[i]]) == 0) i++;
        if (i == length) break;
        uint64_t hash = FNV_OFFSET_BASIS;
        uint16_t seen = 0;
        while (class & 0xFF) {
            seen |= class;
            hash = fnv_add(hash, (uint8_t)class);
            if (++i == length) break;
            class = byte_classes[text[i]];
        }
        if (i < length && class == LOOK_ALIKE) {
            words_state state = {&shingles, exact, previous, words, hash, seen != 0, (seen & DIGIT) != 0};
            add_rest(&state, text, length, i);
            tw_fingerprint result = {state.exact, state.words, sketch_smallest(&shingles, sketch)};
            return result;
        }
        fold_word((seen & DIGIT) ? NUMBER_TOKEN : hash, &shingles, &exact, &previous, &words);
    }
    tw_fingerprint result = {exact, words, sketch_smallest(&shingles, sketch)};
    return result;
}

uint64_t tw_fingerprint_opaque(const uint8_t *bytes, size_t length) {
    uint64_t hash = FNV_OFFSET_BASIS;
    for (size_t i = 0; i < length; i++) hash = fnv_add(hash, bytes[i]);
    return fnv_add(hash, 0xFF);
}
