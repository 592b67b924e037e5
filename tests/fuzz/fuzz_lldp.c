/* libFuzzer target: the lldp dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_lldp
#include "fuzz_dissector.c"
