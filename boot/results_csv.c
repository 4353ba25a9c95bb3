/*
 * results_csv.c - turns the CSV block of the kernel's log (bench/csv.c's
 * framing, docs/CSV.md) into results.csv: the @csv-header line's columns,
 * then every "@csv <n> <row>" row in order; several blocks (pcid = both
 * runs the driver twice) give one file.  Gaps in the numbering and a
 * missing or disagreeing @csv-end are reported, never papered over.
 */
#include "boot/boot.h"

static int
starts_with(const char *s, UINTN n, const char *prefix)
{
	UINTN i = 0;

	for (; prefix[i]; i++)
		if (i >= n || s[i] != prefix[i])
			return 0;
	return 1;
}

/* Decimal at s (n bytes); *used gets the digits consumed (0 = none). */
static unsigned
number(const char *s, UINTN n, UINTN *used)
{
	unsigned v = 0;
	UINTN i = 0;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	*used = i;
	return v;
}

static void
one_line(const char *s, UINTN n, struct textbuf *csv, struct csv_summary *sum)
{
	UINTN used;
	unsigned k;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (starts_with(s, n, "@csv-begin ")) {
		sum->began++;
		sum->block_rows = 0;
	} else if (starts_with(s, n, "@csv-header ") && csv->len == 0) {
		tb_add(csv, s + 12, n - 12);
		tb_add(csv, "\n", 1);
	} else if (starts_with(s, n, "@csv-end ")) {
		k = number(s + 9, n - 9, &used);
		if (k != sum->block_rows)
			sum->gap = 1;
		sum->declared += k;
		sum->ended++;
	} else if (starts_with(s, n, "@csv ")) {
		k = number(s + 5, n - 5, &used);
		if (!used || 5 + used >= n)
			return;
		if (k != sum->block_rows + 1)
			sum->gap = 1;
		sum->block_rows++;
		tb_add(csv, s + 5 + used + 1, n - 5 - used - 1);
		tb_add(csv, "\n", 1);
		sum->rows++;
	}
}

void
boot_csv_from_log(const char *log, UINTN bytes, struct textbuf *csv,
		  struct csv_summary *sum)
{
	UINTN pos = 0, end;

	SetMem(sum, sizeof *sum, 0);
	while (pos < bytes) {
		end = pos;
		while (end < bytes && log[end] != '\n')
			end++;
		one_line(log + pos, end - pos, csv, sum);
		pos = end + 1;
	}
}
