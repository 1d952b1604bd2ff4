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

/* Folds a 64-bit value into an FNV-1a hash, byte by byte from the lowest. */
static inline uint64_t fnv_mix(uint64_t hash, uint64_t value) {
    for (int i = 0; i < 8; i++) {
        hash = fnv_add(hash, (uint8_t)value);
        value >>= 8;
    }
    return hash;
}

/* splitmix64's finaliser, so that the bottom-k sample is uniform. */
static inline uint64_t finalize(uint64_t value) {
    uint64_t z = value + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The state of the pass where it leaves the fast loop (at the lead byte of a look-alike). */
typedef struct {
    uint32_t *shingles;
    size_t filled;
    uint64_t exact;
    uint64_t previous;
    int64_t words;
    uint64_t hash;
    int in_word;
    int has_digit;
} words_state;

/* Folds a word that has ended into the exact hash, and it and its pair with the word before into the shingles. */
static inline void fold_word(uint64_t word, uint32_t *shingles, size_t *filled, uint64_t *exact, uint64_t *previous,
                             int64_t *words) {
    *exact = fnv_mix(*exact, word);
    shingles[(*filled)++] = (uint32_t)finalize(word);
    if (*words > 0) shingles[(*filled)++] = (uint32_t)finalize(fnv_mix(*previous, word));
    *previous = word;
    (*words)++;
}

static void end_word(words_state *state) {
    if (state->in_word) {
        uint64_t word = state->has_digit ? NUMBER_TOKEN : state->hash;
        fold_word(word, state->shingles, &state->filled, &state->exact, &state->previous, &state->words);
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

/* Sorts `values` in place and keeps the smallest distinct ones, at most TW_SKETCH_SIZE, at its start. */
static size_t bottom_k(uint32_t *values, size_t count) {
    if (count > 2 * TW_SKETCH_SIZE) {
        /* Long texts: the smallest values kept sorted as they come; after the first few hundred, nearly every
         * value is larger than all of them and costs one comparison. */
        uint32_t kept[TW_SKETCH_SIZE];
        size_t size = 0;
        for (size_t i = 0; i < count; i++) {
            uint32_t value = values[i];
            if (size == TW_SKETCH_SIZE && value >= kept[size - 1]) continue;
            size_t position = size;
            while (position > 0 && kept[position - 1] > value) position--;
            if (position > 0 && kept[position - 1] == value) continue;
            size_t end = size == TW_SKETCH_SIZE ? size - 1 : size;
            memmove(kept + position + 1, kept + position, (end - position) * sizeof kept[0]);
            kept[position] = value;
            if (size < TW_SKETCH_SIZE) size++;
        }
        memcpy(values, kept, size * sizeof kept[0]);
        return size;
    }
    /* Prompts of usual length. The values are hashes, spread evenly: placed by their top bits first, they are
     * nearly in order, and an insertion sort then moves each by a place or two. */
    enum { BUCKET_BITS = 4, BUCKETS = 1 << BUCKET_BITS };
    uint32_t placed[2 * TW_SKETCH_SIZE];
    uint8_t starts[BUCKETS + 1] = {0};
    for (size_t i = 0; i < count; i++) starts[(values[i] >> (32 - BUCKET_BITS)) + 1]++;
    for (size_t bucket = 1; bucket <= BUCKETS; bucket++) starts[bucket] += starts[bucket - 1];
    for (size_t i = 0; i < count; i++) placed[starts[values[i] >> (32 - BUCKET_BITS)]++] = values[i];
    for (size_t i = 1; i < count; i++) {
        uint32_t value = placed[i];
        size_t j = i;
        while (j > 0 && placed[j - 1] > value) {
            placed[j] = placed[j - 1];
            j--;
        }
        placed[j] = value;
    }
    size_t unique = 0;
    for (size_t i = 0; i < count && unique < TW_SKETCH_SIZE; i++) {
        if (unique == 0 || placed[i] != values[unique - 1]) values[unique++] = placed[i];
    }
    return unique;
}

tw_fingerprint tw_fingerprint_text(const uint8_t *text, size_t length, uint32_t *shingles) {
    uint64_t exact = FNV_OFFSET_BASIS, previous = 0;
    int64_t words = 0;
    size_t filled = 0;
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
            words_state state = {shingles, filled, exact, previous, words, hash, seen != 0, (seen & DIGIT) != 0};
            add_rest(&state, text, length, i);
            tw_fingerprint result = {state.exact, state.words, bottom_k(shingles, state.filled)};
            return result;
        }
        fold_word((seen & DIGIT) ? NUMBER_TOKEN : hash, shingles, &filled, &exact, &previous, &words);
    }
    tw_fingerprint result = {exact, words, bottom_k(shingles, filled)};
    return result;
}

uint64_t tw_fingerprint_opaque(const uint8_t *bytes, size_t length) {
    uint64_t hash = FNV_OFFSET_BASIS;
    for (size_t i = 0; i < length; i++) hash = fnv_add(hash, bytes[i]);
    return fnv_add(hash, 0xFF);
}
