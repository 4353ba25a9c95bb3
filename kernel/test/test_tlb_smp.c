/*
 * test_tlb_smp.c - with two CPUs, does a page remapped on one CPU stop
 * being used on the other, which has the space loaded and the old
 * translation cached?  (QEMU's TLB, like the hardware's, keeps it until an
 * INVLPG or CR3 load on that CPU.)
 *
 * A kernel thread pinned to another CPU loads a test space and reads its
 * page; this CPU then replaces the page three times and writes a poison
 * value into each old frame, so a stale translation would read the poison:
 *   1. the other CPU waits with interrupts off, answering from its spin
 *      loop (tlb_shootdown_poll, as in spin_lock);
 *   2. it waits with interrupts on: the VEC_IPI_TLB handler answers;
 *   3. the space is released while the other CPU still has it loaded (an
 *      idle CPU keeps the last CR3): that CPU moves to the kernel root.
 * Skipped (one line) with one CPU.  The model proof of the protocol is
 * tests/host/test_tlb_smp.c.
 */
#include "kernel/test/ktest.h"
#include "kernel/console/console.h"
#include "kernel/test/ktest_user.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/arch/x86_64/tlb_hw.h"
#include "kernel/mm/frames.h"
#include "kernel/mm/kvm.h"
#include "kernel/sched/thread.h"
#include "kernel/stats/counters.h"
#include "kernel/sync/spinlock.h"
#include "kernel/time/clock.h"
#include "common/string.h"

#define TEST_VA  USER_MAP_BASE
#define POISON   0xdeadull
#define WAIT_NS  5000000000ull          /* a phase that takes longer failed */

struct xcpu {
	struct tlb_asid asid;
	uint64_t root, frame;
	int phase;                      /* each side moves it on in turn (atomics) */
	volatile uint64_t seen[3];      /* what the other CPU read after each remap */
	volatile int cpu, moved, released;
};

#define ABORTED 99                      /* a side gave up waiting */

static void
set_phase(struct xcpu *x, int phase)
{
	__atomic_store_n(&x->phase, phase, __ATOMIC_RELEASE);
}

static int
get_phase(struct xcpu *x)
{
	return __atomic_load_n(&x->phase, __ATOMIC_ACQUIRE);
}

/* A fresh frame holding value (0 if none). */
static uint64_t
frame_with(uint64_t value)
{
	uint64_t f = frames_alloc(1);

	if (f)
		*(volatile uint64_t *)phys_to_virt(f) = value;
	return f;
}

static int
map_frame(struct xcpu *x, uint64_t f)
{
	x->frame = f;
	return pt_map(kvm_env(), x->root, TEST_VA, f, PAGE_SIZE, PTE_U | PTE_W | PTE_NX, 0);
}

/* This CPU's side of a remap: the new frame is taken first (so it cannot be
 * the old one), then unmap, invalidate everywhere (interrupts off, tlb.c's
 * rule), poison the old frame, map the new one, free the old. */
static int
remap(struct xcpu *x, uint64_t value)
{
	uint64_t old = x->frame, f = frame_with(value);

	if (!f || pt_unmap(kvm_env(), x->root, TEST_VA, PAGE_SIZE, 0, 0) != 1)
		return -1;
	push_off();
	tlb_invalidate_range(&x->asid, TEST_VA, 1);
	pop_off();
	*(volatile uint64_t *)phys_to_virt(old) = POISON;
	int err = map_frame(x, f);
	frames_free(old, 1);
	return err;
}

/* Waits (interrupts as they are) until the other side reaches phase. */
static int
wait_phase(struct xcpu *x, int phase, int poll)
{
	uint64_t end = clock_ns() + WAIT_NS;

	while (get_phase(x) < phase) {
		if (clock_ns() > end) {
			set_phase(x, ABORTED);
			return 0;
		}
		if (poll)
			tlb_shootdown_poll();
		cpu_relax();
	}
	return get_phase(x) != ABORTED;
}

/* The other CPU.  Between reads it keeps the test space loaded; in the
 * interrupts-on wait a tick may switch it to another thread and back, so it
 * reloads the space if it finds it gone (and says so: the check then proves
 * less). */
static void
holder(void *arg)
{
	struct xcpu *x = arg;
	uint64_t end = clock_ns() + WAIT_NS;

	push_off();
	x->cpu = smp_cpu_id();
	tlb_switch_to(&x->asid, x->root);
	x->seen[0] = ktest_read_user(TEST_VA);        /* cached now */
	set_phase(x, 1);
	if (!wait_phase(x, 2, 1))               /* interrupts off: the poll answers */
		goto out;
	x->seen[1] = ktest_read_user(TEST_VA);
	set_phase(x, 3);
	while (get_phase(x) < 4 && clock_ns() < end) {
		/* Interrupts on until the next one (the IPI, or a tick, which may
		 * switch threads: hence no push_off level held).  "sti; pause;
		 * cli" would do on hardware, but TCG takes interrupts only between
		 * blocks of instructions, never inside that one; sti's one-
		 * instruction shadow keeps the IPI from slipping in before hlt. */
		pop_off();
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		push_off();
		if (tlb_current() != &x->asid) {
			x->moved = 1;
			tlb_switch_to(&x->asid, x->root);
		}
	}
	if (get_phase(x) != 4)
		goto out;
	x->seen[2] = ktest_read_user(TEST_VA);
	set_phase(x, 5);
	if (!wait_phase(x, 6, 1))
		goto out;
	x->released = tlb_current() == 0 && hw_read_cr3() == kvm_master_root();
	set_phase(x, 7);
out:
	if (tlb_current() == &x->asid)
		tlb_load_kernel_root(kvm_master_root());
	pop_off();
}

static int
other_cpu(void)
{
	return smp_cpu_id() == 0 ? 1 : 0;
}

void
test_tlb_smp(void)
{
	static struct xcpu x;
	uint64_t shot = KCOUNTER(tlb_shootdowns), f;
	int ok;

	if (smp_cpu_count() < 2) {
		kprintf("# tlb-smp: skipped, one CPU: nothing to shoot down\n");
		return;
	}
	memset(&x, 0, sizeof x);
	x.root = pt_create_root(kvm_env());
	f = frame_with(0xa1);
	if (!x.root || !f || (kvm_share_kernel_half(x.root), map_frame(&x, f))) {
		ktest_check(0, "tlb-smp: test space built");
		return;
	}
	push_off();             /* no tick may run the holder here first */
	struct thread *t = thread_create_kernel("tlb-holder", holder, &x);
	if (t)
		sched_set_affinity(t, other_cpu());
	pop_off();
	ok = t && wait_phase(&x, 1, 0);
	ktest_check(ok && x.cpu != smp_cpu_id() && x.seen[0] == 0xa1,
		    "tlb-smp: CPU %d has the space loaded and its page cached", x.cpu);
	ok = ok && remap(&x, 0xa2) == 0;
	set_phase(&x, ok ? 2 : ABORTED);
	ok = ok && wait_phase(&x, 3, 0);
	ktest_check(ok && x.seen[1] == 0xa2, "tlb-smp: remap while CPU %d spins with interrupts off: "
		    "it reads the new frame (%lx; a stale translation reads %lx)", x.cpu,
		    (unsigned long)x.seen[1], (unsigned long)POISON);
	ok = ok && remap(&x, 0xa3) == 0;
	set_phase(&x, ok ? 4 : ABORTED);
	ok = ok && wait_phase(&x, 5, 0);
	ktest_check(ok && x.seen[2] == 0xa3, "tlb-smp: remap while CPU %d runs with interrupts on: "
		    "the IPI handler answers, it reads the new frame (%lx%s)", x.cpu,
		    (unsigned long)x.seen[2], x.moved ? "; it was switched away meanwhile" : "");
	if (ok) {
		push_off();
		tlb_release(&x.asid);   /* still loaded there */
		pop_off();
	}
	set_phase(&x, ok ? 6 : ABORTED);
	ok = ok && wait_phase(&x, 7, 0);
	ktest_check(ok && x.released, "tlb-smp: releasing the space moves CPU %d to the kernel root",
		    x.cpu);
	ktest_check(KCOUNTER(tlb_shootdowns) - shot >= 3, "tlb-smp: at least 3 shootdown IPIs counted");
	sleep_ms_kernel(20);    /* the holder leaves (its space too) and is reaped */
	push_off();
	tlb_release(&x.asid);
	pop_off();
	pt_unmap(kvm_env(), x.root, TEST_VA, PAGE_SIZE, 0, 0);
	frames_free(x.frame, 1);
	pt_free_lower(kvm_env(), x.root, 0, 0);
	frames_free(x.root, 1);
}
