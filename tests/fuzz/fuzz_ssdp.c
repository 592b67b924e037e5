/* libFuzzer target: the ssdp dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_ssdp
#include "fuzz_dissector.c"
