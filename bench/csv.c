/*
 * csv.c - benchmark rows on the console, framed so run.py can pull them out
 * of a serial log full of other output:
 *
 *   @csv-begin 1 <run_id>           format version, run
 *   @csv-header run_id,mech,...      docs/CSV.md's columns, in order
 *   @s <n> <i> v,v,...               row n's samples from index i (before row n)
 *   @csv <n> <row>                   n = 1, 2, ... (a gap means a lost line)
 *   @csv-skip <mech> <variant> <pattern> <size> <reason> [<placement>]
 *   @csv-end <rows>
 *
 * Each line is one write, so lines never interleave with other output.
 */
#include "bench/bench.h"
#include "user/lib/ipcbench.h"

#define CSV_COLUMNS "run_id,mech,variant,pattern,size,iters,unit,min,p50,p90,p99,max," \
	"mean,stddev,mbps,syscalls_per_op,switches_per_op,as_switches_per_op," \
	"tlb_flushes_per_op,kcopy_bytes_per_op,wakeups_per_op,pcid,accel,cpu," \
	"instructions_per_op,unhalted_cycles_per_op,placement"

#define CSV_SAMPLES_LINE 400     /* bytes of one "@s" line, below UPRINTF_MAX */

static unsigned rows;
static char cpu_name[49];
static const char *pcid_state = "off";
static const char *placement = "";

/* CPUID brand string, commas and padding removed so it is one CSV field. */
static void
read_cpu_name(void)
{
	uint32_t r[12], max;

	__asm__ volatile("cpuid" : "=a"(max) : "a"(0x80000000u) : "ebx", "ecx", "edx");
	if (max < 0x80000004u) {
		strncpy_bounded(cpu_name, "unknown", sizeof cpu_name);
		return;
	}
	for (uint32_t leaf = 0; leaf < 3; leaf++)
		__asm__ volatile("cpuid" : "=a"(r[leaf * 4]), "=b"(r[leaf * 4 + 1]),
				 "=c"(r[leaf * 4 + 2]), "=d"(r[leaf * 4 + 3]) : "a"(0x80000002u + leaf));
	memcpy(cpu_name, r, 48);
	cpu_name[48] = '\0';
	char *src = cpu_name, *dst = cpu_name;
	while (*src == ' ')
		src++;
	for (; *src; src++)
		if (*src != ',' && !(*src == ' ' && (dst == cpu_name || dst[-1] == ' ')))
			*dst++ = *src;
	while (dst > cpu_name && dst[-1] == ' ')
		dst--;
	*dst = '\0';
}

void
csv_begin(const struct bench_args *a)
{
	struct sysinfo si;

	read_cpu_name();
	if (usys_sysinfo(&si) == 0 && si.pcid_active)
		pcid_state = si.invpcid ? "on" : "on-noinvpcid";
	rows = 0;
	uprintf("@csv-begin 1 %s\n", a->run_id);
	uprintf("@csv-header %s\n", CSV_COLUMNS);
}

/* value / ops with three decimals, as text. */
static void
per_op(char *buf, size_t size, uint64_t value, uint32_t ops)
{
	uint64_t milli = ops ? value * 1000 / ops : 0;
	snformat(buf, size, "%lu.%03lu", (unsigned long)(milli / 1000), (unsigned long)(milli % 1000));
}

/* One event column: per op, or empty when the system does not count it. */
#define EVENT_PER_OP(buf, ev, field, ops) do { \
	if (bench_counters_known() & (1u << (__builtin_offsetof(struct kcounters, field) / 8))) \
		per_op(buf, sizeof buf, (ev)->field, ops); \
	else \
		buf[0] = '\0'; \
} while (0)

void
csv_row(const struct bench_args *a, const char *mech, const char *variant,
	const char *pattern, uint32_t size, uint32_t iters,
	const struct bench_stats *st, uint64_t mbps_milli,
	const struct kcounters *ev, const struct pmu_delta *pmu, uint32_t ops)
{
	char sc[24], sw[24], as[24], tf[24], kc[24], wk[24], in[24] = "", uc[24] = "";

	EVENT_PER_OP(sc, ev, syscalls, ops);
	EVENT_PER_OP(sw, ev, context_switches, ops);
	EVENT_PER_OP(as, ev, as_switches, ops);
	EVENT_PER_OP(tf, ev, tlb_flushes, ops);
	EVENT_PER_OP(kc, ev, kcopy_bytes, ops);
	EVENT_PER_OP(wk, ev, wakeups, ops);
	if (pmu->valid) {        /* empty fields when the CPU exposes no PMU */
		per_op(in, sizeof in, pmu->instructions, ops);
		per_op(uc, sizeof uc, pmu->unhalted, ops);
	}
	uprintf("@csv %u %s,%s,%s,%s,%u,%u,%s,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu.%03lu,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
		++rows, a->run_id, mech, variant[0] ? variant : "-", pattern, size, iters, a->unit,
		st->min, st->p50, st->p90, st->p99, st->max, st->mean, st->stddev,
		mbps_milli / 1000, mbps_milli % 1000, sc, sw, as, tf, kc, wk,
		pcid_state, a->accel, cpu_name, in, uc, placement);
}

/* The samples of the row printed next, in iteration order (before the
 * statistics sort them): "@s <row> <first index> v,v,..." lines, each
 * well under UPRINTF_MAX so no line is cut. */
void
csv_samples(const uint64_t *s, uint32_t n)
{
	char line[CSV_SAMPLES_LINE];

	for (uint32_t i = 0; i < n; ) {
		size_t len = (size_t)snformat(line, sizeof line, "@s %u %u ", rows + 1, i);
		const char *sep = "";
		/* 22 bytes: a comma, the longest uint64 and the NUL */
		for (; i < n && len + 22 < sizeof line; i++, sep = ",")
			len += (size_t)snformat(line + len, sizeof line - len, "%s%lu", sep,
						(unsigned long)s[i]);
		uprintf("%s\n", line);
	}
}

void
csv_skip(const char *mech, const char *variant, const char *pattern, uint32_t size,
	 const char *why)
{
	uprintf("@csv-skip %s %s %s %u %s%s%s\n", mech, variant[0] ? variant : "-", pattern, size,
		why, placement[0] ? " " : "", placement);
}

void
csv_set_placement(const char *label)
{
	placement = label;
}

void
csv_end(void)
{
	uprintf("@csv-end %u\n", rows);
}
