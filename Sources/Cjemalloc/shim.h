#ifndef SHOPSTREAM_CJEMALLOC_SHIM_H
#define SHOPSTREAM_CJEMALLOC_SHIM_H
// jemalloc, linked into the shopstream executable only: it then serves every malloc of the
// process (the Swift runtime's, SQLite's, librdkafka's, libcurl's) in place of glibc's. Swift
// code asks it nothing but what it is (`mallctl`, in MemoryAllocator.swift).
#include <jemalloc/jemalloc.h>
#endif
