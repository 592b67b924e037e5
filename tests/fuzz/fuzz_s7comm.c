/* libFuzzer target: the s7comm dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_s7comm
#include "fuzz_dissector.c"
