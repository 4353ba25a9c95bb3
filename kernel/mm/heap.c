/* heap.c - slab-per-size-class kernel heap (see heap.h). */
#include "kernel/mm/heap.h"
#include "kernel/mm/frames.h"
#include "kernel/mm/kvm.h"
#include "kernel/sync/spinlock.h"
#include "common/string.h"
#include "kernel/panic.h"

#define PAGE 4096u
#define NCLASSES 7                  /* 32 .. 2048 bytes */
#define SLAB_MAGIC  0x534c4142u     /* "SLAB" */
#define LARGE_MAGIC 0x4c415247u     /* "LARG" */

struct free_obj { struct free_obj *next; };

/* Lives at the start of every heap page; objects follow it. */
struct page_hdr {
	uint32_t magic;
	uint32_t class;                 /* slab: class index; large: unused */
	uint64_t frames;                /* large: frames in the run */
	uint32_t inuse;                 /* slab: objects handed out */
	uint32_t pad;
	struct free_obj *free;          /* slab: this page's free objects */
	struct page_hdr *prev, *next;   /* slab: partial-page list links */
};
#define HDR_SIZE 64u
_Static_assert(sizeof(struct page_hdr) <= HDR_SIZE, "header fits its slot");

/* heap_lock must be held when using partial[] and stats. */
static struct spinlock heap_lock = SPINLOCK_INIT("heap");
static struct page_hdr *partial[NCLASSES];  /* pages with a free object */
static struct heap_stats stats;

static uint32_t class_size(int c) { return 32u << c; }

static int
size_class(size_t bytes)
{
	for (int c = 0; c < NCLASSES; c++)
		if (bytes <= class_size(c))
			return c;
	return -1;
}

static void
list_remove(int c, struct page_hdr *h)
{
	if (h->prev)
		h->prev->next = h->next;
	else
		partial[c] = h->next;
	if (h->next)
		h->next->prev = h->prev;
	h->prev = h->next = 0;
}

static void
list_push(int c, struct page_hdr *h)
{
	h->prev = 0;
	h->next = partial[c];
	if (partial[c])
		partial[c]->prev = h;
	partial[c] = h;
}

static struct page_hdr *
new_slab(int c)
{
	uint64_t pa = frames_alloc(1);
	if (!pa)
		return 0;
	struct page_hdr *h = phys_to_virt(pa);
	uint32_t size = class_size(c);
	h->magic = SLAB_MAGIC;
	h->class = c;
	/* Objects start at a multiple of their size (alignment), after the header. */
	uint32_t first = size < HDR_SIZE ? HDR_SIZE : size;
	for (uint32_t off = PAGE - size; off >= first; off -= size) {
		struct free_obj *o = (struct free_obj *)((char *)h + off);
		o->next = h->free;
		h->free = o;
	}
	list_push(c, h);
	return h;
}

static void *
alloc_small(int c)
{
	struct page_hdr *h = partial[c];

	if (!h && !(h = new_slab(c)))
		return 0;
	struct free_obj *o = h->free;
	h->free = o->next;
	h->inuse++;
	if (!h->free)
		list_remove(c, h);
	stats.live_bytes += class_size(c);
	return o;
}

static void *
alloc_large(size_t bytes)
{
	uint64_t frames = (bytes + HDR_SIZE + PAGE - 1) / PAGE;
	uint64_t pa = frames_alloc(frames);
	if (!pa)
		return 0;
	struct page_hdr *h = phys_to_virt(pa);
	h->magic = LARGE_MAGIC;
	h->frames = frames;
	stats.live_bytes += frames * PAGE;
	return (char *)h + HDR_SIZE;
}

void *
kmalloc(size_t bytes)
{
	int c = size_class(bytes ? bytes : 1);
	void *p;

	if (bytes > (1ull << 32))
		return 0;
	spin_lock(&heap_lock);
	p = c >= 0 ? alloc_small(c) : alloc_large(bytes);
	if (p) {
		stats.live_allocs++;
		stats.total_allocs++;
	}
	spin_unlock(&heap_lock);
	if (p && c >= 0)
		memset(p, 0, class_size(c));
	return p;   /* large runs are zeroed by frames_alloc */
}

static void
free_small(struct page_hdr *h, void *p)
{
	int c = h->class;
	struct free_obj *o = p;

	if (!h->free)
		list_push(c, h);
	o->next = h->free;
	h->free = o;
	h->inuse--;
	stats.live_bytes -= class_size(c);
	/* An empty page goes back to the frame allocator unless it is the
	 * class's only page with room: keeping that one spares a frame
	 * allocation (and its zeroing) for every alloc/free pair, the pattern
	 * of per-message kernel buffers. */
	if (h->inuse == 0 && (partial[c] != h || h->next)) {
		list_remove(c, h);
		h->magic = 0;
		frames_free(virt_to_phys(h), 1);
	}
}

/* Empty slab pages kept (at most one per class); heap_lock held. */
static uint64_t
kept_empty_pages(void)
{
	uint64_t n = 0;

	for (int c = 0; c < NCLASSES; c++)
		for (struct page_hdr *h = partial[c]; h; h = h->next)
			n += h->inuse == 0;
	return n;
}

void
kfree(void *p)
{
	if (!p)
		return;
	struct page_hdr *h = (struct page_hdr *)((uint64_t)p & ~(uint64_t)(PAGE - 1));
	spin_lock(&heap_lock);
	if (h->magic == SLAB_MAGIC && h->inuse) {
		free_small(h, p);
	} else if (h->magic == LARGE_MAGIC && (char *)p == (char *)h + HDR_SIZE) {
		stats.live_bytes -= h->frames * PAGE;
		h->magic = 0;
		frames_free(virt_to_phys(h), h->frames);
	} else {
		spin_unlock(&heap_lock);
		panic("kfree: %p is not a heap object (double free?)", p);
	}
	stats.live_allocs--;
	spin_unlock(&heap_lock);
}

void
heap_stats(struct heap_stats *out)
{
	spin_lock(&heap_lock);
	*out = stats;
	out->kept_pages = kept_empty_pages();
	spin_unlock(&heap_lock);
}
