#ifndef CBENCHZLIB_H
#define CBENCHZLIB_H
#include <stddef.h>
#include <stdint.h>

/// gzip (RFC 1952) at `level` (6 = zlib's and gzip's default). Returns the output length, or
/// 0 if `capacity` was too small or zlib failed.
size_t bench_gzip(const uint8_t *input, size_t length, uint8_t *output, size_t capacity, int level);

/// Inflates a gzip stream. Returns the output length, or (size_t)-1 on corrupt input or if the
/// output does not fit `capacity`.
size_t bench_gunzip(const uint8_t *input, size_t length, uint8_t *output, size_t capacity);

/// Raw deflate (RFC 1951) at level 9, memLevel 9, as GiupXa's codec does (PROTOCOL.md §9): for
/// the "compression floors" column. Returns the output length or 0.
size_t bench_raw_deflate(const uint8_t *input, size_t length, uint8_t *output, size_t capacity);

/// An upper bound of the output of the compressors above.
size_t bench_bound(size_t length);

#endif
