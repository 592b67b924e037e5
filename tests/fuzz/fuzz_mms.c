/* libFuzzer target: the mms dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_mms
#include "fuzz_dissector.c"
