/* libFuzzer target: the c37118 dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_c37118
#include "fuzz_dissector.c"
