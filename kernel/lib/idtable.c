/* idtable.c - slot + generation ids for kernel objects (idtable.h). */
#include "kernel/lib/idtable.h"
#include "common/errno.h"

int
idtable_free_slot(const struct idtable *t)
{
	for (unsigned i = 0; i < t->size; i++)
		if (!t->objs[i])
			return (int)i;
	return -ENFILE;
}

int64_t
idtable_insert_at(const struct idtable *t, unsigned i, void *obj)
{
	++*t->generation;
	t->ids[i] = *t->generation * t->size + i + 1;
	t->objs[i] = obj;
	return t->ids[i];
}

int64_t
idtable_insert(const struct idtable *t, void *obj)
{
	int i = idtable_free_slot(t);

	return i < 0 ? i : idtable_insert_at(t, (unsigned)i, obj);
}

void
idtable_remove(const struct idtable *t, int64_t id)
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
