/* libFuzzer target: the snmp dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_snmp
#include "fuzz_dissector.c"
