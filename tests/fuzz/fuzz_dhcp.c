/* libFuzzer target: the dhcp dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_dhcp
#include "fuzz_dissector.c"
