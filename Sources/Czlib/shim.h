#ifndef SHOPSTREAM_CZLIB_SHIM_H
#define SHOPSTREAM_CZLIB_SHIM_H
#include <zlib.h>
#endif
