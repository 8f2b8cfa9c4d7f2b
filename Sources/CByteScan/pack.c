// Packing a CSV row's fields for the validator (`PackedTexts`), every field of every row: in C beside the row split,
// whose field table it reads, with eight-byte loads and stores (the last overlapping) that gather the ASCII check on
// the way (see `CSVParser.packFields`).
#include "CByteScan.h"

#include <string.h>

static const uint64_t highs = 0x8080808080808080ULL;

// Copies `len` bytes (the two may not overlap) with loads and stores that stay inside them, some overlapping each
// other; returns the OR of every byte loaded, spread over a word (for the ASCII check).
static inline __attribute__((always_inline)) uint64_t copy_gathering(uint8_t *dst, const uint8_t *src, long len) {
    uint64_t a, b, acc = 0;
    if (len >= 8) {
        long i = 0;
        for (; i + 16 <= len; i += 16) {
            memcpy(&a, src + i, 8);
            memcpy(&b, src + i + 8, 8);
            memcpy(dst + i, &a, 8);
            memcpy(dst + i + 8, &b, 8);
            acc |= a | b;
        }
        if (i + 8 <= len) {
            memcpy(&a, src + i, 8);
            memcpy(dst + i, &a, 8);
            acc |= a;
        }
        memcpy(&b, src + len - 8, 8);
        memcpy(dst + len - 8, &b, 8);
        return acc | b;
    }
    if (len >= 4) {
        uint32_t x, y;
        memcpy(&x, src, 4);
        memcpy(&y, src + len - 4, 4);
        memcpy(dst, &x, 4);
        memcpy(dst + len - 4, &y, 4);
        return (uint64_t)(x | y);
    }
    if (len > 0) {  // the first, the middle and the last byte (some the same one)
        uint8_t x = src[0], y = src[len >> 1], z = src[len - 1];
        dst[0] = x;
        dst[len >> 1] = y;
        dst[len - 1] = z;
        return (uint64_t)(x | y | z);
    }
    return 0;
}

static inline __attribute__((always_inline)) long pack(uint8_t *out, long capacity, const uint8_t *record,
                                                       const long *starts, const long *ends, long field_count,
                                                       const long *columns, long n, uint64_t *non_ascii, int in_place) {
    uint64_t mask = 0;
    uint32_t count = (uint32_t)n;
    memcpy(out, &count, 4);
    long at = (n + 1) * 4;
    if (at > capacity) return -1;
    for (long i = 0; i < n; i++) {
        long c = columns[i];
        if ((unsigned long)c < (unsigned long)field_count) {  // c >= 0 && c < field_count
            long from = in_place ? starts[c] : (c == 0 ? 0 : ends[c - 1]), len = ends[c] - from;
            if (at + len > capacity) return -1;
            if (copy_gathering(out + at, record + from, len) & highs) mask |= 1ULL << i;
            at += len;
        }
        uint32_t end = (uint32_t)at;
        memcpy(out + (i + 1) * 4, &end, 4);
    }
    *non_ascii = mask;
    return at;
}

long erpwms_pack_fields(uint8_t *out, long capacity, const uint8_t *record, const long *starts, const long *ends,
                        long field_count, const long *columns, long n, uint64_t *non_ascii) {
    return starts ? pack(out, capacity, record, starts, ends, field_count, columns, n, non_ascii, 1)
                  : pack(out, capacity, record, starts, ends, field_count, columns, n, non_ascii, 0);
}
