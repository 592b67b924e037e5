/* libFuzzer target: the nbss dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_nbss
#include "fuzz_dissector.c"
