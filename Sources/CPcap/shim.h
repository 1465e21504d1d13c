#ifndef RPCREPLAY_CPCAP_SHIM_H
#define RPCREPLAY_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
