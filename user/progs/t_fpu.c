/* t_fpu.c - are x87/SSE registers private to a thread?  (User programs
 * are built without SSE, so only the asm below touches them.)
 *   hold SEED N   fills xmm0-15, MXCSR and the x87 control word with a
 *                 pattern from SEED, yields N times and checks after each
 *                 yield that all of it is still its own; exit 0 iff so
 *   dirty SEED    fills them and exits at once (leaves them to whoever runs next)
 *   fresh         exit 0 iff it starts with the clean state: xmm0-15 zero,
 *                 MXCSR 0x1f80, x87 control word 0x37f
 *   threads N     two threads of this process hold different patterns
 *                 while yielding to each other N times; exit 0 iff both keep theirs */
#include "user/lib/ipcbench.h"

#define XMM_BYTES 256
#define MXCSR_INIT 0x1f80u
#define FCW_INIT   0x037fu

struct fpu_view {
	uint8_t xmm[XMM_BYTES];
	uint32_t mxcsr;
	uint16_t fcw;
};

static void
load(const struct fpu_view *v)
{
	__asm__ volatile(
		"movdqu 0(%0), %%xmm0\n\t"    "movdqu 16(%0), %%xmm1\n\t"
		"movdqu 32(%0), %%xmm2\n\t"   "movdqu 48(%0), %%xmm3\n\t"
		"movdqu 64(%0), %%xmm4\n\t"   "movdqu 80(%0), %%xmm5\n\t"
		"movdqu 96(%0), %%xmm6\n\t"   "movdqu 112(%0), %%xmm7\n\t"
		"movdqu 128(%0), %%xmm8\n\t"  "movdqu 144(%0), %%xmm9\n\t"
		"movdqu 160(%0), %%xmm10\n\t" "movdqu 176(%0), %%xmm11\n\t"
		"movdqu 192(%0), %%xmm12\n\t" "movdqu 208(%0), %%xmm13\n\t"
		"movdqu 224(%0), %%xmm14\n\t" "movdqu 240(%0), %%xmm15\n\t"
		"ldmxcsr %1\n\t"
		"fldcw %2"
		:: "r"(v->xmm), "m"(v->mxcsr), "m"(v->fcw) : "memory");
}

static void
store(struct fpu_view *v)
{
	__asm__ volatile(
		"movdqu %%xmm0, 0(%0)\n\t"    "movdqu %%xmm1, 16(%0)\n\t"
		"movdqu %%xmm2, 32(%0)\n\t"   "movdqu %%xmm3, 48(%0)\n\t"
		"movdqu %%xmm4, 64(%0)\n\t"   "movdqu %%xmm5, 80(%0)\n\t"
		"movdqu %%xmm6, 96(%0)\n\t"   "movdqu %%xmm7, 112(%0)\n\t"
		"movdqu %%xmm8, 128(%0)\n\t"  "movdqu %%xmm9, 144(%0)\n\t"
		"movdqu %%xmm10, 160(%0)\n\t" "movdqu %%xmm11, 176(%0)\n\t"
		"movdqu %%xmm12, 192(%0)\n\t" "movdqu %%xmm13, 208(%0)\n\t"
		"movdqu %%xmm14, 224(%0)\n\t" "movdqu %%xmm15, 240(%0)\n\t"
		"stmxcsr %1\n\t"
		"fnstcw %2"
		:: "r"(v->xmm), "m"(v->mxcsr), "m"(v->fcw) : "memory");
}

/* Every byte depends on the seed; MXCSR: all exceptions masked, rounding
 * mode from the seed (so never the init value); FCW: precision 53 bit. */
static void
pattern(struct fpu_view *v, long seed)
{
	for (int i = 0; i < XMM_BYTES; i++)
		v->xmm[i] = (uint8_t)(seed * 37 + i * 11 + 1);
	v->mxcsr = MXCSR_INIT | (uint32_t)(1 + seed % 3) << 13;
	v->fcw = 0x027f;
}

static int
same(const struct fpu_view *a, const struct fpu_view *b)
{
	return !memcmp(a->xmm, b->xmm, XMM_BYTES) && a->mxcsr == b->mxcsr && a->fcw == b->fcw;
}

/* Loads the pattern, yields n times; 0 iff it survived every yield. */
static int
hold(long seed, long n)
{
	struct fpu_view want, got;
	int bad = 0;

	pattern(&want, seed);
	load(&want);
	for (long i = 0; i < n; i++) {
		usys_yield();
		store(&got);
		bad += !same(&want, &got);
	}
	return bad ? 1 : 0;
}

static int
fresh(void)
{
	struct fpu_view clean, got;

	memset(&clean, 0, sizeof clean);
	clean.mxcsr = MXCSR_INIT;
	clean.fcw = FCW_INIT;
	store(&got);
	return same(&clean, &got) ? 0 : 1;
}

static volatile long thread_result = -1;

static void
second_thread(void *n)
{
	thread_result = hold(2, (long)n);
}

static int
threads(long n)
{
	long stack = usys_map_anon(16384, PROT_READ | PROT_WRITE);
	long tid = stack < 0 ? stack : thread_start(second_thread, (void *)(stack + 16384), (void *)n);

	if (tid < 0)
		return 3;
	int mine = hold(1, n);
	usys_thread_join(tid);
	return mine == 0 && thread_result == 0 ? 0 : 1;
}

int
main(const char *arg, unsigned long arglen)
{
	long seed = 0, n = 0;
	const char *rest;

	if (!strcmp(arg, "fresh"))
		return fresh();
	if (!strncmp(arg, "threads ", 8) && arg_next_long(arg + 8, &n))
		return threads(n);
	if (!strncmp(arg, "dirty ", 6) && arg_next_long(arg + 6, &seed)) {
		struct fpu_view v;
		pattern(&v, seed);
		load(&v);
		return 0;
	}
	if (!strncmp(arg, "hold ", 5) && (rest = arg_next_long(arg + 5, &seed)) && arg_next_long(rest, &n))
		return hold(seed, n);
	return 2;
}
