/* libFuzzer target: the dhcp6 dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_dhcp6
#include "fuzz_dissector.c"
