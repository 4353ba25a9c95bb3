/*
 * test_borrow.c - host tests of borrow mode's pure logic: the capture of
 * the kernel's console into the loader's buffer (kernel/console/capture.c:
 * full buffer, raw-sample lines limited to its first half) and the
 * comparison of saved and restored firmware state (common/cpu_state.c:
 * every field named, self-changing bits ignored, a null TR skipped).
 */
#include <stdint.h>
#include <string.h>

#include "tests/host/check.h"
#include "kernel/console/capture.h"
#include "common/cpu_state.h"

uint64_t kvm_phys_offset;       /* capture.c reaches the buffer through it */

static char buf[64];

static void
put(const char *s)
{
	capture_write(s, strlen(s));
}

static void
test_capture(void)
{
	capture_init((uint64_t)(uintptr_t)buf, sizeof buf);
	put("ipcbench kernel\n");
	CHECK(capture_bytes() == 16 && !memcmp(buf, "ipcbench kernel\n", 16),
	      "output is kept in order");
	put("@s 1 0 5,6,7\n");
	put("@s 1 3 8\n");
	CHECK(capture_bytes() == 38, "sample lines fit while the buffer is under half full");
	put("@s 2 0 8,9\n");
	CHECK(capture_bytes() == 38 && capture_samples_dropped() == 11,
	      "past half, sample lines are counted, not kept");
	put("@csv 1 a,b,c\n");
	CHECK(capture_bytes() == 51 && !memcmp(buf + 38, "@csv 1 a,b,c\n", 13),
	      "other lines still go in past half");
	put("0123456789012345678901234567890");
	CHECK(capture_bytes() == sizeof buf && capture_dropped() == 31 - 13,
	      "a full buffer keeps the head and counts the rest (%lu dropped)",
	      (unsigned long)capture_dropped());
	capture_init(0, 0);
	put("no buffer\n");
	CHECK(capture_bytes() == 0 && capture_dropped() == 0, "without a buffer nothing is kept");
}

static void
test_compare(void)
{
	struct cpu_state a, b;
	char msg[CPU_STATE_MSG_MAX];

	memset(&a, 0, sizeof a);
	a.cr0 = 0x80010033;
	a.cr4 = 0x668;
	a.rflags = 0x2;
	a.gdt_base = 0x7f000000;
	a.lapic_lvt_timer = 0x20020;
	a.port61 = 0x20;
	b = a;
	CHECK(cpu_state_compare(&a, &b, 0, msg, sizeof msg) == 0 && msg[0] == '\0',
	      "equal states: no mismatch");
	b.rflags |= 0x8d5;              /* CF PF AF ZF SF OF: results, not state */
	b.lapic_lvt_timer |= 1u << 12;  /* delivery status */
	b.port61 |= 0x30;               /* refresh toggle, timer 2 output */
	b.tr = 0x28;                    /* the firmware had none: cannot be reloaded */
	CHECK(cpu_state_compare(&a, &b, 0, msg, sizeof msg) == 0,
	      "self-changing bits and a null firmware TR are ignored (%s)", msg);
	b.cr4 |= 1u << 17;
	b.gdt_base = 0xffffffff80001000ull;
	b.rflags |= 1u << 9;
	CHECK(cpu_state_compare(&a, &b, 0, msg, sizeof msg) == 3 &&
	      !strcmp(msg, "cr4 rflags gdt_base"), "each differing field is named: %s", msg);
	b = a;
	b.cr3 = 0x1000;
	CHECK(cpu_state_compare(&a, &b, 1, msg, sizeof msg) == 0 &&
	      cpu_state_compare(&a, &b, 0, msg, sizeof msg) == 1 && !strcmp(msg, "cr3"),
	      "CR3 is skipped only when asked");
	a.tr = 0x40;
	b = a;
	b.tr = 0x28;
	CHECK(cpu_state_compare(&a, &b, 0, msg, sizeof msg) == 1 && !strcmp(msg, "tr"),
	      "a firmware TR must come back");
	b = a;
	b.gdt_base = 0;
	CHECK(cpu_state_compare(&a, &b, 0, msg, 4) == 1 && !strcmp(msg, "gdt"),
	      "a short message buffer is cut, not overrun: %s", msg);
	CHECK(cpu_state_field_count() >= 36, "%u fields compared", cpu_state_field_count());
}

int
main(void)
{
	test_capture();
	test_compare();
	return check_done();
}
