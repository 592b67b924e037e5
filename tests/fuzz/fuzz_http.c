/* libFuzzer target: the http dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_http
#include "fuzz_dissector.c"
