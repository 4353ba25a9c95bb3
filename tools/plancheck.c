/*
 * plancheck - checks a plan file on the host with the guest's own parser
 * (common/plan.c, the same table of keys and limits the kernel uses), so
 * run.py refuses a bad plan before it boots anything.
 *
 *   plancheck FILE      exit 0: valid; exit 1: one "LINE<TAB>MESSAGE" per
 *                       error on stdout (LINE is 1-based); exit 2: unreadable
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/plan.h"

#define PLAN_FILE_MAX (64u << 10)

int
main(int argc, char **argv)
{
	static char text[PLAN_FILE_MAX];
	struct plan p;

	if (argc != 2) {
		fprintf(stderr, "usage: plancheck FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	size_t len = fread(text, 1, sizeof text, f);
	int too_long = !feof(f);
	fclose(f);
	if (too_long) {
		fprintf(stderr, "%s: longer than %u bytes\n", argv[1], PLAN_FILE_MAX);
		return 2;
	}
	if (plan_parse(text, len, &p) == 0)
		return 0;
	unsigned shown = p.error_count < PLAN_MAX_ERRORS ? p.error_count : PLAN_MAX_ERRORS;
	for (unsigned i = 0; i < shown; i++)
		printf("%u\t%s\n", p.errors[i].line, p.errors[i].msg);
	if (p.error_count > shown)
		printf("0\t%u more error(s)\n", p.error_count - shown);
	return 1;
}
