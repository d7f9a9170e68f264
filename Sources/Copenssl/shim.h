#ifndef SHOPSTREAM_COPENSSL_SHIM_H
#define SHOPSTREAM_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/rsa.h>
#endif
