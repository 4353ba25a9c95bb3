/*
 * test_format.c - what if a message is longer than its buffer?  The string
 * builder every message goes through (struct strbuf, common/format.c) must
 * never write past the buffer, keep it NUL-terminated after every call,
 * and keep counting what did not fit (snformat's return value).
 */
#include <string.h>
#include "tests/host/check.h"
#include "common/format.h"

static void
test_fits(void)
{
	char buf[32];
	struct strbuf sb;

	strbuf_init(&sb, buf, sizeof buf);
	CHECK(buf[0] == '\0' && sb.len == 0, "init leaves an empty string");
	strbuf_str(&sb, "seg ");
	strbuf_format(&sb, "%u: 0x%lx", 3u, 0xffUL);
	strbuf_char(&sb, '!');
	CHECK(!strcmp(buf, "seg 3: 0xff!"), "pieces append in order (%s)", buf);
	CHECK(sb.len == strlen(buf), "len is the text's length (%zu)", sb.len);
}

static void
test_truncates(void)
{
	char buf[8 + 4];
	struct strbuf sb;

	memset(buf, 'Z', sizeof buf);
	strbuf_init(&sb, buf, 8);
	strbuf_str(&sb, "abcdef");
	strbuf_format(&sb, "%d", 12345);
	CHECK(!strcmp(buf, "abcdef1"), "cut at size - 1, NUL-terminated (%s)", buf);
	CHECK(buf[8] == 'Z' && buf[11] == 'Z', "nothing written past size");
	strbuf_char(&sb, 'x');
	CHECK(!strcmp(buf, "abcdef1") && sb.len == 12, "a full buffer drops more, len counts it "
	      "(%zu)", sb.len);
}

static void
test_empty_buffers(void)
{
	char one[1] = { 'Z' };
	struct strbuf sb;

	strbuf_init(&sb, 0, 16);
	strbuf_str(&sb, "ignored");
	CHECK(sb.len == 7, "a NULL buffer writes nothing and counts (%zu)", sb.len);
	strbuf_init(&sb, one, 1);
	strbuf_str(&sb, "abc");
	CHECK(one[0] == '\0', "size 1 holds only the NUL");
	CHECK(snformat(one, 0, "%s", "four") == 4, "snformat with size 0 returns the full length");
}

int
main(void)
{
	test_fits();
	test_truncates();
	test_empty_buffers();
	return check_done();
}
