#ifndef ERPWMS_CBYTESCAN_H
#define ERPWMS_CBYTESCAN_H

#include <stdint.h>

/// Splits one CSV row in place: the row starts at `base + start`, and the bytes up to `base + end` may be read.
///
/// Every field is plain, or quoted without a CR or LF inside (a doubled quote in it stands for one); the row ends with
/// LF or CR LF and has at most `max_bytes` bytes before it. Field `i` is `base[start + starts[i] ..< start + ends[i]]`
/// (a quoted field without its quotes, its doubled quotes made single where they were: the row's bytes are changed),
/// and `*line_end` is the offset from `base` of the LF or CR that ends the row.
///
/// Returns the number of fields (at least one); 0 when the row is not of that kind (a quote inside an unquoted field
/// or text after a closing one, a line break in a field, a lone CR, a row over `max_bytes`, a row that may reach past
/// the last bytes that may be read, a doubled quote after the 64th field): the caller reads it another way, the row's
/// bytes are as they were, and `starts`, `ends` and `*line_end` mean nothing; -1, the bytes also unchanged, when the
/// row has more than `capacity` fields.
///
/// `erpwms_csv_split_row` compares sixteen bytes at a time where the machine has SSE2 (every x86-64) and is
/// `erpwms_csv_split_row_portable` elsewhere; the portable one (eight bytes at a time in a 64-bit word) is exported
/// so that tests can compare the two.
long erpwms_csv_split_row(uint8_t *base, long start, long end, uint8_t delim, uint8_t quote, long max_bytes,
                          long *starts, long *ends, long capacity, long *line_end);

long erpwms_csv_split_row_portable(uint8_t *base, long start, long end, uint8_t delim, uint8_t quote, long max_bytes,
                                   long *starts, long *ends, long capacity, long *line_end);

/// Packs fields of a record as `PackedTexts` lays them out: `n` as a 32-bit number, the end of each text (32-bit,
/// counted from `out`), then the texts' bytes one after another. Text `i` is the record's field `columns[i]`, empty
/// when that is negative or not below `field_count`. Field `f` of the record is `record[starts[f] ..< ends[f]]`, or,
/// when `starts` is null (fields back to back), `record[(f == 0 ? 0 : ends[f - 1]) ..< ends[f]]`. `n` is at most 64.
///
/// Returns the number of bytes written to `out`, and in `*non_ascii` a mask with bit `i` set when text `i` has a
/// byte over 0x7F (to be checked as UTF-8); -1 when they would be more than `capacity` (what `out` holds then means
/// nothing).
long erpwms_pack_fields(uint8_t *out, long capacity, const uint8_t *record, const long *starts, const long *ends,
                        long field_count, const long *columns, long n, uint64_t *non_ascii);

#endif
