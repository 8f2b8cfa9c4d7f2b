#ifndef ERPWMS_CZLIB_SHIM_H
#define ERPWMS_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro Swift cannot call; wrap it. windowBits 15+32 accepts gzip and zlib headers. */
static inline int erpwms_inflate_init_gzip(z_stream *strm) {
    return inflateInit2(strm, 15 + 32);
}
#endif
