/* libFuzzer target: the enip dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_enip
#include "fuzz_dissector.c"
