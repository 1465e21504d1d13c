#ifndef RPCREPLAY_CZSTD_SHIM_H
#define RPCREPLAY_CZSTD_SHIM_H
#include <zstd.h>
#include <zstd_errors.h>
#endif
