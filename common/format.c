/* format.c - a small, bounded printf engine shared by kernel and user code,
 * and the string builder it writes through (struct strbuf, format.h). */
#include "common/format.h"

#include <stdint.h>

struct spec {
	int width;
	char pad;       /* ' ' or '0' */
	int left;       /* '-' flag */
};

/* Appends c if there is room; the caller writes the NUL (terminate). */
static void
put(struct strbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void
terminate(struct strbuf *o)
{
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

static void
put_padded(struct strbuf *o, const char *s, int n, const struct spec *sp)
{
	int fill = sp->width > n ? sp->width - n : 0;

	if (!sp->left)
		while (fill-- > 0)
			put(o, sp->pad);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		while (fill-- > 0)
			put(o, ' ');
}

static void
put_number(struct strbuf *o, uint64_t v, int neg, unsigned base, int upper,
	   const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], text[24];
	struct spec rest = *sp;
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	for (int i = 0; i < n; i++)
		text[i] = tmp[n - 1 - i];
	if (neg) {
		/* The sign goes before zero padding ("-0042") but after spaces. */
		if (sp->pad == '0') {
			put(o, '-');
			rest.width--;
		} else {
			for (int i = n; i > 0; i--)
				text[i] = text[i - 1];
			text[0] = '-';
			n++;
		}
	}
	put_padded(o, text, n, &rest);
}

static const char *
parse_spec(const char *f, struct spec *sp)
{
	sp->width = 0;
	sp->pad = ' ';
	sp->left = 0;
	for (;; f++) {
		if (*f == '0')
			sp->pad = '0';
		else if (*f == '-')
			sp->left = 1;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	return f;
}

/* Fetches a signed or unsigned argument of the size the modifiers name. */
static uint64_t
fetch_arg(va_list *ap, int longs, int is_signed, int *neg)
{
	int64_t s;

	*neg = 0;
	if (!is_signed)
		return longs ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned int);
	s = longs ? va_arg(*ap, long) : va_arg(*ap, int);
	if (s < 0) {
		*neg = 1;
		return (uint64_t)0 - (uint64_t)s;
	}
	return (uint64_t)s;
}

static void
format_one(struct strbuf *o, char c, int longs, const struct spec *sp, va_list *ap)
{
	int neg;
	uint64_t v;
	const char *s;

	switch (c) {
	case 'd': case 'i':
		v = fetch_arg(ap, longs, 1, &neg);
		put_number(o, v, neg, 10, 0, sp);
		break;
	case 'u': case 'x': case 'X':
		v = fetch_arg(ap, longs, 0, &neg);
		put_number(o, v, 0, c == 'u' ? 10 : 16, c == 'X', sp);
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		put_number(o, (uint64_t)(uintptr_t)va_arg(*ap, void *), 0, 16, 0, sp);
		break;
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		{
			int n = 0;
			while (s[n])
				n++;
			put_padded(o, s, n, sp);
		}
		break;
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		put_padded(o, &ch, 1, sp);
		break;
	}
	default:
		put(o, '%');
		put(o, c);
		break;
	}
}

void
strbuf_init(struct strbuf *sb, char *buf, size_t size)
{
	sb->buf = buf;
	sb->size = buf ? size : 0;
	sb->len = 0;
	terminate(sb);
}

void
strbuf_char(struct strbuf *sb, char c)
{
	put(sb, c);
	terminate(sb);
}

void
strbuf_str(struct strbuf *sb, const char *s)
{
	while (*s)
		put(sb, *s++);
	terminate(sb);
}

void
strbuf_vformat(struct strbuf *o, const char *fmt, va_list ap)
{
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(o, *fmt++);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			put(o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt, &sp);
		int longs = 0;
		while (*fmt == 'l' || *fmt == 'z')
			longs = 1, fmt++;
		if (!*fmt)
			break;
		format_one(o, *fmt++, longs, &sp, &args);
	}
	va_end(args);
	terminate(o);
}

void
strbuf_format(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vformat(sb, fmt, ap);
	va_end(ap);
}

int
vsnformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct strbuf sb;

	strbuf_init(&sb, buf, size);
	strbuf_vformat(&sb, fmt, ap);
	return (int)sb.len;
}

int
snformat(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
