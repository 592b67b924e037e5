/* libFuzzer target: the ssh dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_ssh
#include "fuzz_dissector.c"
