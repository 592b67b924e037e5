/* libFuzzer target: the llmnr dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_llmnr
#include "fuzz_dissector.c"
