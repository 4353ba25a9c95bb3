/*
 * model_tlb.c - the host tests' CPUs: tlb_hw.h over PCID-tagged model TLBs,
 * one per CPU, that keep translations as long as the SDM allows, and IPIs
 * delivered when the receiving CPU runs or its sender waits (model_tlb.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/arch/x86_64/tlb.h"
#include "kernel/arch/x86_64/tlb_hw.h"
#include "kernel/mm/pagetable.h"
#include "kernel/stats/counters.h"
#include "tests/host/model_tlb.h"

#define PCID_MASK   0xfffull
#define CR3_PWT_PCD (PTE_PWT | PTE_PCD)         /* CR3[4:3] when PCIDE = 0 */
/* The PTE bits a translation carries besides the frame. */
#define PROT_BITS   (PTE_W | PTE_U | PTE_NX)

struct entry {
	uint16_t pcid;          /* the PCID current when it was filled */
	int global;             /* G in the leaf (CR4.PGE is on): any PCID uses it */
	uint64_t page;          /* va >> 12 */
	uint64_t frame;         /* physical page address */
	uint64_t prot;
};

/* Entries live in one list per PCID plus one for global entries, so a
 * lookup or a per-PCID flush never scans the other 4095 PCIDs' entries. */
struct list {
	struct entry *e;
	size_t n, cap;
};
#define GLOBAL_LIST (PCID_MASK + 1)

/* One CPU: its control registers, its TLB, its counters, its IPI line. */
struct cpu {
	int pcide;
	uint64_t cr3;                   /* as written, bit 63 dropped */
	struct list lists[GLOBAL_LIST + 1];
	struct kcounters counters;
	int ipi;                        /* VEC_IPI_TLB raised, not yet taken */
	unsigned deaf;                  /* sender waits before it is taken */
};

static struct {
	const struct pt_env *env;
	int has_pcid, has_invpcid;
	struct cpu cpus[MODEL_MAX_CPUS];
	struct cpu *c;                  /* the CPU running now: cpus[cur] */
	int cur, ncpus;
	unsigned ipi_delay;
	unsigned long spins;            /* hw_relax calls in a row */
	uint64_t watch[MODEL_WATCH_MAX];
	unsigned nwatch;
	unsigned long stale, faults, ipis;
	struct model_ops ops;
	char problem[256];
} m;

static void
problem(unsigned long *counter, const char *fmt, ...)
{
	va_list ap;

	(*counter)++;
	va_start(ap, fmt);
	vsnprintf(m.problem, sizeof m.problem, fmt, ap);
	va_end(ap);
}

/* The current PCID: CR3[11:0] with PCIDE = 1, always 0 without (4.10.1). */
static uint16_t
cur_pcid(void)
{
	return m.c->pcide ? (uint16_t)(m.c->cr3 & PCID_MASK) : 0;
}

static uint64_t
root(void)
{
	return m.c->cr3 & PTE_ADDR_MASK;
}

/* ---------------------------------------------------------------- storage */

static struct entry *
find_in(struct list *l, uint64_t page)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->e[i].page == page)
			return &l->e[i];
	return 0;
}

/* The entry the CPU would use: the PCID's own, or a global one. */
static struct entry *
find(uint16_t pcid, uint64_t page)
{
	struct entry *e = find_in(&m.c->lists[pcid], page);

	return e ? e : find_in(&m.c->lists[GLOBAL_LIST], page);
}

static void
insert(struct entry e)
{
	struct list *l = &m.c->lists[e.global ? GLOBAL_LIST : e.pcid];

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->e = realloc(l->e, l->cap * sizeof *l->e);
		if (!l->e)
			abort();
	}
	l->e[l->n++] = e;
}

/* Removes the list's entries for `page`, or all of them for page ~0. */
static void
drop(struct list *l, uint64_t page)
{
	for (size_t i = 0; i < l->n;) {
		if (page == ~0ull || l->e[i].page == page)
			l->e[i] = l->e[--l->n];
		else
			i++;
	}
}

static void
drop_nonglobal(void)
{
	for (unsigned p = 0; p <= PCID_MASK; p++)
		m.c->lists[p].n = 0;
}

static void
drop_all(void)
{
	drop_nonglobal();
	m.c->lists[GLOBAL_LIST].n = 0;
}

/* ------------------------------------------------------------ translation */

/* Walks the tables under CR3; 0 and the entry's fields, or -1 if unmapped. */
static int
walk(uint64_t va, struct entry *out)
{
	uint64_t pa, pte;

	if (!root() || pt_lookup(m.env, root(), va, &pa, &pte))
		return -1;
	out->pcid = cur_pcid();
	out->global = (pte & PTE_G) != 0;
	out->page = va >> 12;
	out->frame = pa & ~(PAGE_SIZE - 1);
	out->prot = pte & PROT_BITS;
	return 0;
}

/* Runs fn as CPU c (its CR3, its TLB, its counters), then comes back. */
static void
on_cpu(int c, void (*fn)(void))
{
	int was = m.cur;

	m.cur = c;
	m.c = &m.cpus[c];
	fn();
	m.cur = was;
	m.c = &m.cpus[was];
}

/* Hardware may cache any translation reachable from CR3 at any moment; we
 * do it for every watched page at each instruction boundary we see. */
static void
speculate_here(void)
{
	struct entry e;

	for (unsigned i = 0; i < m.nwatch; i++)
		if (!find(cur_pcid(), m.watch[i] >> 12) && walk(m.watch[i], &e) == 0)
			insert(e);
}

/* ... on every CPU: the others run (and fill their TLBs) meanwhile. */
static void
speculate(void)
{
	for (int c = 0; c < m.ncpus; c++)
		on_cpu(c, speculate_here);
}

int
model_access(uint64_t va, uint64_t *pa)
{
	struct entry fresh, *e = find(cur_pcid(), va >> 12);
	int mapped = walk(va, &fresh) == 0;

	if (e) {
		if (!mapped || fresh.frame != e->frame || fresh.prot != e->prot)
			problem(&m.stale, "stale use: va %#llx pcid %u served frame %#llx, "
				"tables say %s %#llx", (unsigned long long)va, cur_pcid(),
				(unsigned long long)e->frame, mapped ? "frame" : "unmapped",
				(unsigned long long)fresh.frame);
		*pa = e->frame | (va & (PAGE_SIZE - 1));
		speculate();
		return 0;
	}
	if (!mapped)
		return -14;                     /* #PF: nothing is cached */
	insert(fresh);
	*pa = fresh.frame | (va & (PAGE_SIZE - 1));
	speculate();
	return 0;
}

/* ------------------------------------------------------ tlb_hw.h primitives */

void
hw_write_cr3(uint64_t value)
{
	if (!m.c->pcide) {
		if (value & CR3_NOFLUSH) {
			problem(&m.faults, "#GP: CR3 bit 63 set with CR4.PCIDE = 0");
			return;
		}
		if (value & PCID_MASK & ~CR3_PWT_PCD)
			problem(&m.faults, "CR3[11:0] = %#llx with PCIDE = 0 (a PCID where "
				"none is active)", (unsigned long long)(value & PCID_MASK));
		drop_nonglobal();
		m.ops.cr3_flush++;
	} else if (value & CR3_NOFLUSH) {
		m.ops.cr3_noflush++;            /* 4.10.4.1: nothing invalidated */
	} else {
		drop(&m.c->lists[value & PCID_MASK], ~0ull);
		m.ops.cr3_flush++;
	}
	m.c->cr3 = value & ~CR3_NOFLUSH;
	speculate();
}

uint64_t
hw_read_cr3(void)
{
	return m.c->cr3;
}

void
hw_invlpg(uint64_t va)
{
	speculate();
	m.ops.invlpg++;
	if (!pt_canonical(va))
		return;                         /* non-canonical: a no-op */
	drop(&m.c->lists[cur_pcid()], va >> 12);   /* the current PCID's entry */
	drop(&m.c->lists[GLOBAL_LIST], va >> 12);  /* and global ones, any PCID */
}

static int
invpcid_faults(enum invpcid_type type, uint16_t pcid, uint64_t va)
{
	if (!m.has_invpcid) {
		problem(&m.faults, "#UD: INVPCID without CPUID.07H:EBX[10]");
		return 1;
	}
	if ((unsigned)type > INVPCID_ALL_NONGLOBAL || pcid > PCID_MASK) {
		problem(&m.faults, "#GP: INVPCID type %u pcid %#x", type, pcid);
		return 1;
	}
	if (type == INVPCID_ADDRESS && !pt_canonical(va)) {
		problem(&m.faults, "#GP: INVPCID type 0 of non-canonical %#llx",
			(unsigned long long)va);
		return 1;
	}
	if (type <= INVPCID_CONTEXT && !m.c->pcide && pcid) {
		problem(&m.faults, "#GP: INVPCID type %u pcid %u with CR4.PCIDE = 0", type, pcid);
		return 1;
	}
	return 0;
}

void
hw_invpcid(enum invpcid_type type, uint16_t pcid, uint64_t va)
{
	speculate();
	if (invpcid_faults(type, pcid, va))
		return;
	m.ops.invpcid[type]++;
	switch (type) {
	case INVPCID_ADDRESS:       drop(&m.c->lists[pcid], va >> 12); break;  /* never globals */
	case INVPCID_CONTEXT:       drop(&m.c->lists[pcid], ~0ull); break;
	case INVPCID_ALL_GLOBAL:    drop_all(); break;
	case INVPCID_ALL_NONGLOBAL: drop_nonglobal(); break;
	}
}

int hw_has_pcid(void) { return m.has_pcid; }
int hw_has_invpcid(void) { return m.has_invpcid; }

/* Setting needs CPUID support and CR3[11:0] = 0 and flushes nothing;
 * clearing flushes everything, globals included (4.10.4.1, MOV to CR4). */
void
hw_set_pcide(int on)
{
	if (on && !m.c->pcide) {
		if (!m.has_pcid)
			problem(&m.faults, "#GP: CR4.PCIDE set without CPUID.01H:ECX[17]");
		else if (m.c->cr3 & PCID_MASK)
			problem(&m.faults, "#GP: CR4.PCIDE set with CR3[11:0] = %#llx",
				(unsigned long long)(m.c->cr3 & PCID_MASK));
		else
			m.c->pcide = 1;
	} else if (!on && m.c->pcide) {
		m.c->pcide = 0;
		drop_all();
	}
}

/* ------------------------------------------------------------- test hooks */

void
model_reset(const struct pt_env *env, int has_pcid, int has_invpcid)
{
	for (int c = 0; c < MODEL_MAX_CPUS; c++)
		for (unsigned p = 0; p <= GLOBAL_LIST; p++)
			free(m.cpus[c].lists[p].e);
	memset(&m, 0, sizeof m);
	m.env = env;
	m.has_pcid = has_pcid;
	m.has_invpcid = has_invpcid;
	m.ncpus = 1;
	m.c = &m.cpus[0];
}

/* -------------------------------------------------------- several CPUs */

int hw_cpu_id(void) { return m.cur; }
uint32_t hw_cpu_bit(void) { return 1u << m.cur; }
void *hw_this_tlb(void) { return tlb_cpu_state(m.cur); }
int hw_cpu_count(void) { return m.ncpus; }
struct kcounters *host_counters(void) { return &m.c->counters; }

void
hw_send_tlb_ipi(int cpu)
{
	if (cpu < 0 || cpu >= m.ncpus || cpu == m.cur) {
		problem(&m.faults, "IPI to CPU %d from CPU %d of %d", cpu, m.cur, m.ncpus);
		return;
	}
	m.ipis++;
	m.cpus[cpu].ipi = 1;
	m.cpus[cpu].deaf = m.ipi_delay;
}

/* The IPI handler: interrupts come on at the CPU's next instruction. */
static void
take_ipi(void)
{
	m.c->ipi = 0;
	m.spins = 0;
	tlb_shootdown_service();
}

/* A waiting CPU pauses: meanwhile every other CPU with an IPI raised takes
 * it, once it has been deaf for the delay the test asked for (it was
 * running with interrupts off elsewhere).  A wait that never ends is a
 * deadlock in the protocol: stop loudly rather than hang. */
void
hw_relax(void)
{
	if (++m.spins > 1000000) {
		fprintf(stderr, "model: CPU %d waits forever (deadlock)\n", m.cur);
		abort();
	}
	for (int c = 0; c < m.ncpus; c++) {
		if (c == m.cur || !m.cpus[c].ipi)
			continue;
		if (m.cpus[c].deaf) {
			m.cpus[c].deaf--;
			continue;
		}
		on_cpu(c, take_ipi);
	}
}

void
model_cpu_online(void)
{
	if (m.ncpus == MODEL_MAX_CPUS)
		abort();
	m.ncpus++;
}

void
model_set_cpu(int c)
{
	if (c < 0 || c >= m.ncpus)
		abort();
	m.cur = c;
	m.c = &m.cpus[c];
	m.spins = 0;
	if (m.c->ipi)
		take_ipi();
	speculate();
}

int model_cpu(void) { return m.cur; }
void model_ipi_delay(unsigned relax_calls) { m.ipi_delay = relax_calls; }
unsigned long model_ipis(void) { return m.ipis; }
const struct kcounters *model_counters(int cpu) { return &m.cpus[cpu].counters; }

void
model_counters_sum(struct kcounters *out)
{
	uint64_t *sum = (uint64_t *)out;

	memset(out, 0, sizeof *out);
	for (int c = 0; c < MODEL_MAX_CPUS; c++)
		for (size_t w = 0; w < sizeof *out / sizeof(uint64_t); w++)
			sum[w] += ((const uint64_t *)&m.cpus[c].counters)[w];
}

/* Every entry CPU c would use now (its current PCID's and the globals)
 * must agree with the tables under its CR3. */
static unsigned long audited;

static void
audit_list(struct list *l)
{
	struct entry fresh;

	for (size_t i = 0; i < l->n; i++) {
		struct entry *e = &l->e[i];
		int mapped = walk(e->page << 12, &fresh) == 0;
		if (!mapped || fresh.frame != e->frame || fresh.prot != e->prot) {
			audited++;
			problem(&m.stale, "stale entry on CPU %d: page %#llx pcid %u -> frame "
				"%#llx, tables say %s %#llx", m.cur,
				(unsigned long long)(e->page << 12), e->pcid,
				(unsigned long long)e->frame, mapped ? "frame" : "unmapped",
				(unsigned long long)fresh.frame);
		}
	}
}

static void
audit_here(void)
{
	if (!root())
		return;
	audit_list(&m.c->lists[cur_pcid()]);
	audit_list(&m.c->lists[GLOBAL_LIST]);
}

unsigned long
model_audit(void)
{
	audited = 0;
	for (int c = 0; c < m.ncpus; c++)
		on_cpu(c, audit_here);
	return audited;
}

void
model_watch(uint64_t va)
{
	for (unsigned i = 0; i < m.nwatch; i++)
		if (m.watch[i] >> 12 == va >> 12)
			return;
	if (m.nwatch == MODEL_WATCH_MAX)
		abort();
	m.watch[m.nwatch++] = va;
}

unsigned long model_stale_uses(void) { return m.stale; }
unsigned long model_faults(void) { return m.faults; }
const char *model_last_problem(void) { return m.problem; }
const struct model_ops *model_ops(void) { return &m.ops; }
int model_pcide(void) { return m.c->pcide; }
uint16_t model_current_pcid(void) { return cur_pcid(); }

size_t
model_entry_count(void)
{
	size_t n = 0;

	for (unsigned p = 0; p <= GLOBAL_LIST; p++)
		n += m.c->lists[p].n;
	return n;
}

size_t
model_cached(uint16_t pcid, uint64_t va)
{
	return pcid <= PCID_MASK && find_in(&m.c->lists[pcid], va >> 12) ? 1 : 0;
}
