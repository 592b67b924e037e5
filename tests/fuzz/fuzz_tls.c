/* libFuzzer target: the tls dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_tls
#include "fuzz_dissector.c"
