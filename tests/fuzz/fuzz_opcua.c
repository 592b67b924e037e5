/* libFuzzer target: the opcua dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_opcua
#include "fuzz_dissector.c"
