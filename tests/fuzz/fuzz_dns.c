/* libFuzzer target: the dns dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_dns
#include "fuzz_dissector.c"
