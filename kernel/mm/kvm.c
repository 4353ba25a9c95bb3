/* kvm.c - builds the kernel's own page tables (see kvm.h for the layout). */
#include "kernel/mm/kvm.h"
#include "kernel/mm/frames.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/panic.h"
#include "common/boot_info.h"

#define EFI_MEMORY_RUNTIME (1ull << 63)
#define EFI_RUNTIME_SERVICES_CODE 5

static uint64_t master_root;
static uint64_t direct_map_end;     /* physical bytes covered by the direct map */
static uint64_t kernel_phys, kernel_virt, kernel_bytes;

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __kernel_end[];

static void *env_phys_to_virt(void *ctx, uint64_t pa) { return phys_to_virt(pa); }
static uint64_t env_alloc_table(void *ctx) { return frames_alloc(1); }
static void env_free_table(void *ctx, uint64_t pa) { frames_free(pa, 1); }

static const struct pt_env kernel_env = {
	env_phys_to_virt, env_alloc_table, env_free_table, 0,
};

const struct pt_env *kvm_env(void) { return &kernel_env; }
uint64_t kvm_master_root(void) { return master_root; }

uint64_t
virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;

	if (v >= kernel_virt && v - kernel_virt < kernel_bytes)
		return kernel_phys + (v - kernel_virt);
	return v - DIRECT_MAP_BASE;
}

static void
map_or_panic(uint64_t va, uint64_t pa, uint64_t size, uint64_t prot, unsigned req)
{
	int err = pt_map(&kernel_env, master_root, va, pa, size, prot, req);
	if (err)
		panic("kvm: mapping %lx -> %lx (+%lx) failed: %d", va, pa, size, err);
}

/* Every PML4 slot of the kernel half gets its PDPT now, so the entries
 * process roots copy never change afterwards. */
static void
populate_kernel_half(void)
{
	uint64_t *pml4 = phys_to_virt(master_root);

	for (int i = 256; i < 512; i++) {
		uint64_t t = frames_alloc(1);
		if (!t)
			panic("kvm: out of frames for the kernel half");
		pml4[i] = t | PTE_P | PTE_W;
	}
}

static uint64_t
highest_address(const struct boot_info *bi)
{
	uint64_t top = 4ull << 30;

	for (unsigned i = 0; i < bi->memmap_count; i++) {
		uint64_t end = bi->memmap[i].phys + bi->memmap[i].pages * 4096;
		if (end > top)
			top = end;
	}
	for (unsigned i = 0; i < bi->pool_count; i++)
		if (bi->pool[i].phys + bi->pool[i].bytes > top)
			top = bi->pool[i].phys + bi->pool[i].bytes;
	return (top + LARGE_SIZE - 1) & ~(LARGE_SIZE - 1);
}

static void
map_kernel_image(void)
{
	uint64_t text = (uint64_t)__text_start, rodata = (uint64_t)__rodata_start;
	uint64_t data = (uint64_t)__data_start, end = ((uint64_t)__kernel_end + 4095) & ~4095ull;

	map_or_panic(text, virt_to_phys(__text_start), rodata - text, PTE_G, 0);
	map_or_panic(rodata, virt_to_phys(__rodata_start), data - rodata, PTE_G | PTE_NX, 0);
	map_or_panic(data, virt_to_phys(__data_start), end - data, PTE_G | PTE_W | PTE_NX, 0);
}

/* Identity-maps the EFI runtime regions (lower half, master table only). */
static void
map_efi_runtime(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->memmap_count; i++) {
		const struct boot_memmap_entry *m = &bi->memmap[i];
		if (!(m->attribute & EFI_MEMORY_RUNTIME) || !m->pages)
			continue;
		uint64_t prot = PTE_W;
		if (m->efi_type != EFI_RUNTIME_SERVICES_CODE)
			prot |= PTE_NX;
		/* Runtime regions may sit above the user top; skip what cannot be mapped. */
		if (m->phys + m->pages * 4096 <= USER_TOP)
			map_or_panic(m->phys, m->phys, m->pages * 4096, prot, 0);
	}
}

void
kvm_init(const struct boot_info *bi)
{
	kernel_phys = bi->kernel_phys;
	kernel_virt = bi->kernel_virt;
	kernel_bytes = bi->kernel_bytes;
	master_root = pt_create_root(&kernel_env);
	if (!master_root)
		panic("kvm: no frame for the kernel PML4");
	populate_kernel_half();
	direct_map_end = highest_address(bi);
	map_or_panic(DIRECT_MAP_BASE, 0, direct_map_end, PTE_W | PTE_NX | PTE_G, PT_ALLOW_LARGE);
	map_kernel_image();
	map_efi_runtime(bi);
	tlb_load_kernel_root(master_root);
	kvm_phys_offset = DIRECT_MAP_BASE;
	frames_relocate(DIRECT_MAP_BASE);
}

void *
kvm_map_mmio(uint64_t phys, uint64_t bytes)
{
	uint64_t start = phys & ~4095ull;
	uint64_t end = (phys + bytes + 4095) & ~4095ull;

	for (uint64_t pa = start; pa < end; pa += 4096) {
		uint64_t have, pte;
		if (pa < direct_map_end ||
		    pt_lookup(&kernel_env, master_root, DIRECT_MAP_BASE + pa, &have, &pte) == 0)
			continue;
		map_or_panic(DIRECT_MAP_BASE + pa, pa, 4096,
			     PTE_W | PTE_NX | PTE_G | PTE_PCD | PTE_PWT, 0);
	}
	return (void *)(DIRECT_MAP_BASE + phys);
}

int
kvm_is_mapped(uint64_t va)
{
	uint64_t pa, pte;

	return pt_lookup(&kernel_env, read_cr3() & PTE_ADDR_MASK, va, &pa, &pte) == 0;
}

void
kvm_share_kernel_half(uint64_t root)
{
	uint64_t *dst = phys_to_virt(root), *src = phys_to_virt(master_root);

	for (int i = 256; i < 512; i++)
		dst[i] = src[i];
}
