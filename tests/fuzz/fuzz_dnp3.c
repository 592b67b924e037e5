/* libFuzzer target: the dnp3 dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_dnp3
#include "fuzz_dissector.c"
