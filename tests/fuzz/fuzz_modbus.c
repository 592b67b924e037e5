/* libFuzzer target: the modbus dissector (see fuzz_dissector.c). */
#define DISSECTOR dis_modbus
#include "fuzz_dissector.c"
