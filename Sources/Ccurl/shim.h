#ifndef SHOPSTREAM_CCURL_SHIM_H
#define SHOPSTREAM_CCURL_SHIM_H
#include <curl/curl.h>
#endif
