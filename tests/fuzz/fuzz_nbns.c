/* libFuzzer target: the NetBIOS name service dissector, registered as "nbns" (see fuzz_dissector.c). */
#define DISSECTOR dis_netbios
#include "fuzz_dissector.c"
