/*
 * test_idtable.c - what if a process keeps an id after its object is gone,
 * or makes one up?  A stale id must miss the object that reuses its slot,
 * ids 0, negative and never issued must find nothing, a full table says
 * -ENFILE, and the live count follows inserts and removes.  Objects kept
 * beside the table (free_slot, insert_at) get ids by the same rule.
 */
#include "tests/host/check.h"
#include "kernel/lib/idtable.h"
#include "common/errno.h"

IDTABLE_DEFINE(t, 4);

int
main(void)
{
	int a, b, c, d, e;
	int64_t ia = idtable_insert(&t, &a), ib = idtable_insert(&t, &b);

	CHECK(ia == 1 * 4 + 0 + 1 && ib == 2 * 4 + 1 + 1, "ids are generation * size + slot + 1 "
	      "(%ld, %ld)", (long)ia, (long)ib);
	CHECK(idtable_lookup(&t, ia) == &a && idtable_lookup(&t, ib) == &b, "lookup finds each");
	CHECK(!idtable_lookup(&t, 0) && !idtable_lookup(&t, -5) && !idtable_lookup(&t, ia + 4),
	      "0, negative and never-issued ids find nothing");
	idtable_remove(&t, ia);
	CHECK(!idtable_lookup(&t, ia) && idtable_live(&t) == 1, "a removed id misses; live 1");
	int64_t ic = idtable_insert(&t, &c);
	CHECK((ic - 1) % 4 == (ia - 1) % 4 && ic != ia, "the slot is reused under a new id");
	CHECK(!idtable_lookup(&t, ia) && idtable_lookup(&t, ic) == &c, "the stale id misses the new object");
	idtable_remove(&t, ia);
	CHECK(idtable_lookup(&t, ic) == &c, "removing a stale id leaves the new object");
	idtable_insert(&t, &d);
	idtable_insert(&t, &e);
	CHECK(idtable_live(&t) == 4 && idtable_insert(&t, &a) == -ENFILE, "a full table: -ENFILE");
	CHECK(idtable_at(&t, 0) == &c && idtable_at(&t, 4) == 0, "idtable_at reads a slot, 0 past the end");
	CHECK(idtable_free_slot(&t) == -ENFILE, "a full table has no free slot");
	idtable_remove(&t, ib);
	int slot = idtable_free_slot(&t);
	int64_t ib2 = slot == 1 ? idtable_insert_at(&t, 1, &b) : 0;
	CHECK(slot == 1 && (ib2 - 1) % 4 == 1 && ib2 > ic && idtable_lookup(&t, ib2) == &b &&
	      !idtable_lookup(&t, ib), "free_slot finds the freed slot; insert_at gives it a new id "
	      "(slot %d, id %ld)", slot, (long)ib2);
	return check_done();
}
