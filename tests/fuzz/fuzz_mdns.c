/* libFuzzer target: the mdns dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_mdns
#include "fuzz_dissector.c"
