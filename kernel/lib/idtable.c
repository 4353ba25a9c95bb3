/* idtable.c - slot + generation ids for kernel objects (idtable.h). */
#include "kernel/lib/idtable.h"
#include "common/errno.h"

int64_t
idtable_insert(struct idtable *t, void *obj)
{
	for (unsigned i = 0; i < t->size; i++) {
		if (t->objs[i])
			continue;
		t->generation++;
		t->ids[i] = t->generation * t->size + i + 1;
		t->objs[i] = obj;
		return t->ids[i];
	}
	return -ENFILE;
}

void
idtable_remove(struct idtable *t, int64_t id)
{
	if (idtable_lookup(t, id))
		t->objs[(uint64_t)(id - 1) & (t->size - 1)] = 0;
}

void *
idtable_at(const struct idtable *t, unsigned i)
{
	return i < t->size ? t->objs[i] : 0;
}

unsigned
idtable_live(const struct idtable *t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->size; i++)
		n += t->objs[i] != 0;
	return n;
}
