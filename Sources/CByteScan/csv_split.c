// Splitting a CSV row in place, the hot loop of reading CSV orders (every byte of every row), in C for the one thing
// Swift does not offer: a SIMD compare whose result comes back as a bit mask (SSE2's `pmovmskb`). Swift's SIMD types
// compare lane by lane but have no such reduction, so the Swift scan compared eight bytes at a time in a 64-bit word
// (SWAR); sixteen at a time here take about a third of its instructions (see `CSVParser.fastRow`, which calls this).
#include "CByteScan.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the eight-byte scan assumes a little-endian machine (the first byte in memory is the lowest)"
#endif

// The eight-byte scan's word operations, as `SWAR` in ERPWMSCore has them for the Swift scans.
static const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL, lows = 0x7F7F7F7F7F7F7F7FULL;

static inline uint64_t broadcast(uint8_t b) { return (uint64_t)b * ones; }

// The high bit of each zero byte of `x`; only the lowest is exact (bits above it may come from the borrow).
static inline uint64_t zero_bytes(uint64_t x) { return (x - ones) & ~x & highs; }

// The high bit of each zero byte of `x`, every one exact.
static inline uint64_t zero_bytes_exact(uint64_t x) { return ~(((x & lows) + lows) | x) & highs; }

static inline uint64_t load64(const uint8_t *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

// For the block of `wide ? 16 : 8` bytes at `p`: a bit for each delimiter (`*delims`, every one exact), and a bit
// for each quote, LF or CR (`*stops`, the lowest exact). One bit per byte when wide, the byte's high bit otherwise:
// a byte's offset is the bit's index shifted right by `wide ? 0 : 3`.
static inline __attribute__((always_inline)) void masks(const uint8_t *p, uint8_t delim, uint8_t quote,
                                                        uint64_t *delims, uint64_t *stops, int wide) {
#if defined(__SSE2__)
    if (wide) {
        __m128i w = _mm_loadu_si128((const __m128i *)p);
        *delims = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_set1_epi8((char)delim)));
        __m128i s = _mm_or_si128(_mm_cmpeq_epi8(w, _mm_set1_epi8((char)quote)),
                                 _mm_or_si128(_mm_cmpeq_epi8(w, _mm_set1_epi8('\n')),
                                              _mm_cmpeq_epi8(w, _mm_set1_epi8('\r'))));
        *stops = (uint64_t)(unsigned)_mm_movemask_epi8(s);
        return;
    }
#endif
    uint64_t w = load64(p);
    *delims = zero_bytes_exact(w ^ broadcast(delim));
    *stops = zero_bytes(w ^ broadcast(quote)) | zero_bytes(w ^ broadcast('\n')) | zero_bytes(w ^ broadcast('\r'));
}

// The first quote, LF or CR in `base[from ..< end]`; `end` when there is none.
static inline __attribute__((always_inline)) long first_stop(const uint8_t *base, long from, long end, uint8_t quote,
                                                             int wide) {
    const long width = wide ? 16 : 8;
    const int shift = wide ? 0 : 3;
    long j = from;
    while (j + width <= end) {
        uint64_t delims, stops;
        masks(base + j, 0, quote, &delims, &stops, wide);
        if (stops) return j + (__builtin_ctzll(stops) >> shift);
        j += width;
    }
    for (; j < end; j++) {
        uint8_t c = base[j];
        if (c == quote || c == '\n' || c == '\r') return j;
    }
    return end;
}

static inline __attribute__((always_inline)) long split_row(uint8_t *base, long start, long end, uint8_t delim,
                                                            uint8_t quote, long max_bytes, long *starts, long *ends,
                                                            long capacity, long *line_end, int wide) {
    const long width = wide ? 16 : 8;
    const int shift = wide ? 0 : 3;
    long n = 0, field_start = start, j = start;
    uint64_t escaped = 0;  // the fields (below 64) with a doubled quote
#define FIELD(from, to)                 \
    do {                                \
        if (n == capacity) return -1;   \
        starts[n] = (from) - start;     \
        ends[n] = (to) - start;         \
        n++;                            \
    } while (0)
    // Block by block across the row: every delimiter before the block's first quote, LF or CR ends a field; at that
    // stop, an LF or CR ends the row, and a quote opens a quoted field if the field starts there. (A row whose last
    // bytes are among the final `width` that may be read goes the caller's other way.)
    while (j + width <= end) {
        uint64_t delims, stops;
        masks(base + j, delim, quote, &delims, &stops, wide);
        delims &= (stops & (0 - stops)) - 1;  // only the delimiters before the first stop (all of them without one)
        while (delims) {
            long at = j + (__builtin_ctzll(delims) >> shift);
            FIELD(field_start, at);
            field_start = at + 1;
            delims &= delims - 1;
        }
        if (!stops) {
            j += width;
            continue;
        }
        long stop = j + (__builtin_ctzll(stops) >> shift);
        if (base[stop] != quote) {  // LF or CR: the row ends with this field
            FIELD(field_start, stop);
            *line_end = stop;
            goto done;
        }
        // A quoted field runs to its closing quote, which a delimiter or the line end must follow; a doubled quote
        // inside stands for one (the field is unescaped in place once the whole row is read), and a line break
        // inside goes the other way.
        if (stop != field_start) return 0;
        long close = stop;
        for (;;) {
            close = first_stop(base, close + 1, end, quote, wide);
            if (close + 1 >= end || base[close] != quote) return 0;
            if (base[close + 1] != quote) break;
            if (n >= 64) return 0;  // the mask below holds 64 fields: a doubled quote after them goes the other way
            escaped |= 1ULL << n;
            close += 1;
        }
        FIELD(stop + 1, close);
        uint8_t after = base[close + 1];
        if (after == delim) {
            field_start = close + 2;
            j = close + 2;
        } else if (after == '\n' || after == '\r') {
            *line_end = close + 1;
            goto done;
        } else {
            return 0;
        }
    }
    return 0;
done:
    // A lone CR (the other way reads it as the row's end, and the next line's start) and a row over the limit (which
    // the other way reports) are left as they are.
    if (*line_end - start > max_bytes) return 0;
    if (base[*line_end] == '\r' && (*line_end + 1 >= end || base[*line_end + 1] != '\n')) return 0;
    // Each field with doubled quotes loses one of each pair, where it is (its end moves).
    while (escaped) {
        long i = __builtin_ctzll(escaped);
        escaped &= escaped - 1;
        uint8_t *w = base + start + starts[i];
        const uint8_t *r = w, *e = base + start + ends[i];
        while (r < e) {
            uint8_t c = *r++;
            *w++ = c;
            if (c == quote) r++;  // the second quote of the pair
        }
        ends[i] = w - (base + start);
    }
    return n;
#undef FIELD
    return 0;
}

long erpwms_csv_split_row_portable(uint8_t *base, long start, long end, uint8_t delim, uint8_t quote, long max_bytes,
                                   long *starts, long *ends, long capacity, long *line_end) {
    return split_row(base, start, end, delim, quote, max_bytes, starts, ends, capacity, line_end, 0);
}

long erpwms_csv_split_row(uint8_t *base, long start, long end, uint8_t delim, uint8_t quote, long max_bytes,
                          long *starts, long *ends, long capacity, long *line_end) {
#if defined(__SSE2__)
    return split_row(base, start, end, delim, quote, max_bytes, starts, ends, capacity, line_end, 1);
#else
    return split_row(base, start, end, delim, quote, max_bytes, starts, ends, capacity, line_end, 0);
#endif
}
