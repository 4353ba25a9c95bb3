/*
 * fpu.c - x87/SSE/AVX state per thread (see fpu.h).
 *
 * Hardware contract (SDM Vol. 1 ch. 10 and 13):
 *   CR0.EM = 0, CR0.MP = 1   x87/SSE instructions run (no #UD, no #NM
 *   CR0.TS = 0, CR0.NE = 1   trap: saving is eager), x87 errors as #MF
 *   CR4.OSFXSR = 1           FXSAVE/FXRSTOR cover XMM and MXCSR; SSE allowed
 *   CR4.OSXMMEXCPT = 1       unmasked SIMD exceptions raise #XM, not #UD
 *   CR4.OSXSAVE = 1, XCR0    iff CPUID.01H:ECX.XSAVE[26]: XCR0 = x87|SSE
 *                            (+AVX when CPUID.0DH:EAX has it); the area size
 *                            for that XCR0 is CPUID.(0DH,0):EBX
 *   XSAVEOPT                 iff CPUID.(0DH,1):EAX[0]; it may skip state not
 *                            modified since the last XRSTOR from the same
 *                            address, which holds here: a thread's area is
 *                            only written by its own saves
 *   areas                    64-byte aligned (XSAVE #GPs otherwise; the heap
 *                            aligns objects over 32 bytes to their class)
 * The clean state: FCW 0x37F, MXCSR 0x1F80, everything else 0 (XSTATE_BV
 * 0 = every component in its init state).  borrow.c saves the firmware's
 * FXSAVE image before this runs and restores it, CR0, CR4 and XCR0 at the
 * end of a borrow-mode run.
 */
#include "kernel/arch/x86_64/fpu.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/mm/heap.h"
#include "kernel/panic.h"
#include "common/format.h"
#include "common/string.h"

#define CR0_MP (1ul << 1)
#define CR0_EM (1ul << 2)
#define CR0_TS (1ul << 3)
#define CR0_NE (1ul << 5)
#define CR4_OSFXSR     (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)
#define CR4_OSXSAVE    (1ul << 18)
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define FXSAVE_BYTES 512u
#define AREA_MAX 1024u               /* x87 + SSE + AVX in standard format: 832 */
#define FCW_INIT   0x037f
#define MXCSR_INIT 0x1f80u

enum fpu_mode { FPU_FXSAVE, FPU_XSAVE, FPU_XSAVEOPT };

static enum fpu_mode mode;
/* XCR0 when the mode is XSAVEOPT (fpu.h's inline switches), else 0.  All
 * of XCR0 is in the low half: EDX:EAX = 0:fpu_xsaveopt_mask. */
uint32_t fpu_xsaveopt_mask;
_Static_assert(((XCR0_X87 | XCR0_SSE | XCR0_AVX) >> 32) == 0, "fpu_xsaveopt_mask is 32 bits");
static uint32_t area_bytes = FXSAVE_BYTES;
static uint64_t xcr0;
static uint8_t clean[AREA_MAX] __attribute__((aligned(64)));
static char reason[96];

_Static_assert(AREA_MAX >= FXSAVE_BYTES + 64, "room for the XSAVE header");

static void
xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" :: "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* XSAVE when CPUID has it: XCR0 = what we save, area size for it. */
static void
enable_xsave(void)
{
	uint32_t r[4];

	write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid(0xd, 0, r);
	xcr0 = XCR0_X87 | XCR0_SSE | (r[0] & XCR0_AVX);
	xsetbv0(xcr0);
	cpuid(0xd, 0, r);                /* EBX: bytes for the XCR0 just set */
	if (r[1] > AREA_MAX) {
		xcr0 = XCR0_X87 | XCR0_SSE;
		xsetbv0(xcr0);
		cpuid(0xd, 0, r);
	}
	area_bytes = r[1];
	cpuid(0xd, 1, r);
	mode = r[0] & 1 ? FPU_XSAVEOPT : FPU_XSAVE;
	fpu_xsaveopt_mask = mode == FPU_XSAVEOPT ? (uint32_t)xcr0 : 0;
}

void
fpu_init(void)
{
	uint32_t r[4];

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	cpuid(1, 0, r);
	if (r[2] & (1u << 26))
		enable_xsave();
	if (area_bytes < FXSAVE_BYTES || area_bytes > AREA_MAX)
		panic("fpu: save area of %u bytes", area_bytes);
	memset(clean, 0, sizeof clean);
	*(uint16_t *)&clean[0] = FCW_INIT;
	*(uint32_t *)&clean[24] = MXCSR_INIT;
	snformat(reason, sizeof reason, "fpu: %s, %u-byte areas per thread%s",
		 mode == FPU_XSAVEOPT ? "xsaveopt/xrstor" : mode == FPU_XSAVE ? "xsave/xrstor" : "fxsave/fxrstor",
		 area_bytes, xcr0 & XCR0_AVX ? " (x87, SSE, AVX)" : " (x87, SSE)");
}

/* Another CPU (CR4 already copied from the boot CPU, OSXSAVE included):
 * the same XCR0, so save areas mean the same on every CPU. */
void
fpu_init_ap(void)
{
	if (mode != FPU_FXSAVE)
		xsetbv0(xcr0);
}

const char *
fpu_reason(void)
{
	return reason;
}

void *
fpu_area_new(void)
{
	void *a = kmalloc(area_bytes);

	if (a && ((uintptr_t)a & 63))
		panic("fpu: heap area %p is not 64-byte aligned", a);
	if (a)
		memcpy(a, clean, area_bytes);
	return a;
}

void
fpu_area_free(void *area)
{
	kfree(area);
}

/* The other modes (FXSAVE, XSAVE without XSAVEOPT): out of fpu_switch's
 * straight path. */
static void
fpu_save(void *area)
{
	uint32_t lo = (uint32_t)xcr0, hi = (uint32_t)(xcr0 >> 32);

	if (mode == FPU_XSAVEOPT)
		__asm__ volatile("xsaveopt64 (%0)" :: "r"(area), "a"(lo), "d"(hi) : "memory");
	else if (mode == FPU_XSAVE)
		__asm__ volatile("xsave64 (%0)" :: "r"(area), "a"(lo), "d"(hi) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" :: "r"(area) : "memory");
}

static void
fpu_restore(const void *area)
{
	uint32_t lo = (uint32_t)xcr0, hi = (uint32_t)(xcr0 >> 32);

	if (mode == FPU_FXSAVE)
		__asm__ volatile("fxrstor64 (%0)" :: "r"(area) : "memory");
	else
		__asm__ volatile("xrstor64 (%0)" :: "r"(area), "a"(lo), "d"(hi) : "memory");
}

/* fpu.h's fpu_switch in every mode but XSAVEOPT. */
void
fpu_switch_other(void *save, const void *load)
{
	if (save)
		fpu_save(save);
	if (load)
		fpu_restore(load);
}
