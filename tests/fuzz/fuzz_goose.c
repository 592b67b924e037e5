/* libFuzzer target: the goose dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_goose
#include "fuzz_dissector.c"
