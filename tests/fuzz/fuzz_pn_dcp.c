/* libFuzzer target: the pn_dcp dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_pn_dcp
#include "fuzz_dissector.c"
