/* libFuzzer target: the bacnet dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_bacnet
#include "fuzz_dissector.c"
