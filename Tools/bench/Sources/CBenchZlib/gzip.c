#include "CBenchZlib.h"
#include <string.h>
#include <zlib.h>

static size_t deflate_with(const uint8_t *input, size_t length, uint8_t *output, size_t capacity,
                           int level, int window_bits, int mem_level) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, level, Z_DEFLATED, window_bits, mem_level, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    s.next_in = (Bytef *)input;
    s.avail_in = (uInt)length;
    s.next_out = output;
    s.avail_out = (uInt)capacity;
    int rc = deflate(&s, Z_FINISH);
    size_t produced = capacity - s.avail_out;
    deflateEnd(&s);
    return rc == Z_STREAM_END ? produced : 0;
}

size_t bench_gzip(const uint8_t *input, size_t length, uint8_t *output, size_t capacity, int level) {
    return deflate_with(input, length, output, capacity, level, 15 + 16, 8);
}

size_t bench_raw_deflate(const uint8_t *input, size_t length, uint8_t *output, size_t capacity) {
    return deflate_with(input, length, output, capacity, 9, -15, 9);
}

size_t bench_gunzip(const uint8_t *input, size_t length, uint8_t *output, size_t capacity) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, 15 + 16) != Z_OK) return (size_t)-1;
    s.next_in = (Bytef *)input;
    s.avail_in = (uInt)length;
    s.next_out = output;
    s.avail_out = (uInt)capacity;
    int rc = inflate(&s, Z_FINISH);
    size_t produced = capacity - s.avail_out;
    inflateEnd(&s);
    return rc == Z_STREAM_END ? produced : (size_t)-1;
}

size_t bench_bound(size_t length) {
    return length + length / 1000 + 64 + 18;
}
