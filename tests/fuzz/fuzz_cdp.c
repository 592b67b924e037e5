/* libFuzzer target: the cdp dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_cdp
#include "fuzz_dissector.c"
