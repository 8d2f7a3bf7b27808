// A C module whose static constructor allocates, for link.test.mjs: with no _initialize, lld runs
// the constructors at the start of each export, so the first call into talc comes from one.
#include "talc.h"

static char *greeting;

__attribute__((constructor)) static void make_greeting(void) {
    greeting = malloc(6);
    if (greeting) {
        __builtin_memcpy(greeting, "hello", 6);
    }
}

__attribute__((export_name("greeting"))) char *get_greeting(void) {
    return greeting;
}
