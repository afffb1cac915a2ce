#ifndef CGIUPXA_ZLIB_H
#define CGIUPXA_ZLIB_H

#include <zlib.h>

// zlib's init functions are macros that Swift cannot import; these wrappers expose them.
// windowBits follows zlib: negative values select raw deflate (no zlib header or checksum).

static inline int CGiupXaZlib_deflateInit2(z_streamp strm, int level, int windowBits, int memLevel) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int CGiupXaZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

#endif
