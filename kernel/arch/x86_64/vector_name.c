/* vector_name.c - the names of the interrupt vectors, for the fault and
 * panic reports: apart from trap.c, so that the panic report (which every
 * layer, trap.c too, may call) depends on no dispatcher. */
#include "kernel/arch/x86_64/trap.h"
#include "kernel/arch/x86_64/idt.h"

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

const char *
trap_vector_name(uint64_t vector)
{
	if (vector < 32)
		return exception_names[vector];
	return vector == VEC_SPURIOUS ? "spurious" : "interrupt";
}
