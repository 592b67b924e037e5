/* libFuzzer target: the netbios dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_netbios
#include "fuzz_dissector.c"
