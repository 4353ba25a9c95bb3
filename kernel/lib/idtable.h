/*
 * idtable.h - ids for kernel objects: a slot and a generation in one
 * number, so a stale id (its object gone, the slot reused) never finds
 * the new object.
 *
 * An id is generation * size + slot + 1: never 0 or negative, the slot is
 * (id - 1) % size, and the generation counts every insert, so no id is
 * handed out twice (2^63 inserts apart).  The table stores the object
 * pointers and their ids; it has no lock of its own - the mechanism's lock
 * must be held across every call, as it is around the objects.
 */
#ifndef KERNEL_LIB_IDTABLE_H
#define KERNEL_LIB_IDTABLE_H

#include <stdint.h>

/* The table itself is constant (where its arrays are, its size); what
 * changes lives in the arrays and the generation it points to. */
struct idtable {
	void **objs;                 /* objs[slot]: the object, NULL when free */
	int64_t *ids;                /* ids[slot]: the live object's id */
	unsigned size;               /* a power of two (IDTABLE_DEFINE) */
	int64_t *generation;         /* inserts so far */
};

/* A file-scope table `name` of n slots.  Lookups sit on measured paths:
 * n is a power of two, so an id's slot is a mask, not a division, and the
 * table is a static const, so an inlined lookup reads no table fields, only
 * the slot's object and id. */
#define IDTABLE_DEFINE(name, n)                                              \
	_Static_assert((n) > 0 && ((n) & ((n) - 1)) == 0,                    \
		       #name ": the size is a power of two");                \
	static void *name##_objs[n];                                         \
	static int64_t name##_ids[n];                                        \
	static int64_t name##_generation;                                    \
	static const struct idtable name = { name##_objs, name##_ids, (n),   \
					     &name##_generation }

/* Puts obj in a free slot: its new id, or -ENFILE when the table is full. */
int64_t idtable_insert(const struct idtable *t, void *obj);
/* For objects kept in a static array beside the table, object i in slot i
 * (a thread woken after its object was destroyed may still read that
 * memory; the mechanism zeroes the object's own copy of its id on destroy,
 * so the thread sees it is gone): the first free slot, or -ENFILE.
 * idtable_insert_at then fills that slot, returning the new id. */
int idtable_free_slot(const struct idtable *t);
int64_t idtable_insert_at(const struct idtable *t, unsigned i, void *obj);
/* The slot an id > 0 names, whether or not it is live (objects kept in a
 * static array: see idtable_free_slot). */
static inline unsigned
idtable_slot(const struct idtable *t, int64_t id)
{
	return (uint64_t)(id - 1) & (t->size - 1);
}

/* The object with this id, or NULL (never issued, freed, or its slot
 * reused).  Inline: some mechanisms look an id up on every operation. */
static inline void *
idtable_lookup(const struct idtable *t, int64_t id)
{
	if (id <= 0)
		return 0;
	unsigned i = idtable_slot(t, id);
	return t->objs[i] && t->ids[i] == id ? t->objs[i] : 0;
}
/* Frees the slot of a live id: the id stops finding anything. */
void idtable_remove(const struct idtable *t, int64_t id);
/* The object in slot i (0 <= i < size), NULL when free: for scans. */
void *idtable_at(const struct idtable *t, unsigned i);
/* How many slots hold an object (the leak checks' live counts). */
unsigned idtable_live(const struct idtable *t);

#endif
