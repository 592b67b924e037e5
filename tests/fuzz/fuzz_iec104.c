/* libFuzzer target: the iec104 dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_iec104
#include "fuzz_dissector.c"
