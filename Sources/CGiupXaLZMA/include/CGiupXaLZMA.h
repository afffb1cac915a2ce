#ifndef CGIUPXA_LZMA_H
#define CGIUPXA_LZMA_H

#include <lzma.h>

// liblzma (xz-utils) for compression mode 3's LZMA2 stream (PROTOCOL.md §9.4). Swift imports
// lzma.h's functions and types; these constants are macros with casts, which it cannot import.

static const lzma_vli CGiupXaLZMA_filterLZMA2 = LZMA_FILTER_LZMA2;
static const lzma_vli CGiupXaLZMA_filterEnd = LZMA_VLI_UNKNOWN;

#endif
