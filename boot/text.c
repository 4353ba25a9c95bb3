/* text.c - a bounded text buffer the loader builds files in. */
#include "boot/boot.h"
#include "common/format.h"

void
tb_init(struct textbuf *t, UINTN cap, const CHAR16 *what)
{
	t->p = boot_alloc_pages(cap, what);
	t->len = 0;
	t->cap = cap;
	t->overflow = 0;
	t->p[0] = '\0';
}

void
tb_free(struct textbuf *t)
{
	BS->FreePages((EFI_PHYSICAL_ADDRESS)(UINTN)t->p, BOOT_PAGES(t->cap));
	t->p = NULL;
	t->len = t->cap = 0;
}

void
tb_add(struct textbuf *t, const char *s, UINTN n)
{
	if (t->len + n + 1 > t->cap) {
		t->overflow = 1;
		n = t->cap - t->len - 1;
	}
	CopyMem(t->p + t->len, (void *)s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

void
tb_printf(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnformat(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((UINTN)n >= t->cap - t->len) {
		t->overflow = 1;
		n = (int)(t->cap - t->len - 1);
	}
	t->len += (UINTN)n;
}

/* "..." with JSON escapes; bytes outside printable ASCII become \u00XX. */
void
tb_json_string(struct textbuf *t, const char *s, UINTN n)
{
	static const char hex[] = "0123456789abcdef";

	tb_add(t, "\"", 1);
	for (UINTN i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			tb_add(t, esc, 2);
		} else if (c == '\n') {
			tb_add(t, "\\n", 2);
		} else if (c < 0x20 || c >= 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			tb_add(t, esc, 6);
		} else {
			tb_add(t, (const char *)&c, 1);
		}
	}
	tb_add(t, "\"", 1);
}
