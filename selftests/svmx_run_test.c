// SPDX-License-Identifier: GPL-2.0
/*
 * `svmx run`: each kind of guest image boots on the device under test and
 * shows, on the UART, that it was entered as its format promises; its exit
 * port value is svmx's exit status. Images that cannot run end with a clear
 * message and a non-zero status.
 *
 * The tool is $SVMX_TOOL (default /payload/svmx) and the images are in
 * $SVMX_GUESTS (default /payload/guests), where the test machines put them
 * (built by selftests/guests/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define RUN_TIMEOUT	120	/* seconds; the emulators are slow */

static const char *tool(void)
{
	const char *p = getenv("SVMX_TOOL");

	return p && *p ? p : "/payload/svmx";
}

/* The path of guest image @name (a static buffer per call site's use). */
static char *guest(const char *name)
{
	const char *dir = getenv("SVMX_GUESTS");
	char *path;

	if (asprintf(&path, "%s/%s", dir && *dir ? dir : "/payload/guests",
		     name) < 0)
		abort();
	return path;
}

/* A temporary file holding @text; its path, to unlink() and free(). */
static char *temp_file(const char *text)
{
	char *path = strdup("/tmp/svmx-run-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

/*
 * svmx run [--dev DEV] ARGS... with @input on stdin. @dev: pass the device
 * under test (tests of --dev itself give their own).
 */
static void run(struct __test_metadata *_metadata, struct test_cmd *r,
		const char *input, bool dev, const char *const *args)
{
	char *argv[32];
	int n = 0;

	ASSERT_EQ(0, access(tool(), X_OK))
		TH_LOG("%s: %m (set SVMX_TOOL to the svmx binary)", tool());
	argv[n++] = (char *)tool();
	argv[n++] = "run";
	if (dev) {
		argv[n++] = "--dev";
		argv[n++] = (char *)test_dev_path();
	}
	while (*args && n < 31)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	ASSERT_EQ(0, test_run_cmd(argv, input, RUN_TIMEOUT, r));
	EXPECT_FALSE(r->timed_out) TH_LOG("svmx run did not finish in %d s",
					  RUN_TIMEOUT);
}

/* Each line of @text as a TAP comment. */
static void show(const char *what, const char *text)
{
	const char *end;

	fprintf(stderr, "#   %s:%s\n", what, *text ? "" : " (nothing)");
	while (*text) {
		end = strchrnul(text, '\n');
		fprintf(stderr, "#   | %.*s\n", (int)(end - text), text);
		text = *end ? end + 1 : end;
	}
}

/* After the checks of one run: what it did, if a check failed; then free. */
static void finish(struct __test_metadata *_metadata, struct test_cmd *r)
{
	if (!_metadata->passed) {
		fprintf(stderr, "#   exit status: %d\n", r->status);
		show("stdout", r->out);
		show("stderr", r->err);
	}
	test_cmd_free(r);
}

#define RUN(r, input, ...) \
	run(_metadata, r, input, true, (const char *const[]){ __VA_ARGS__, NULL })
#define RUN_NODEV(r, input, ...) \
	run(_metadata, r, input, false, (const char *const[]){ __VA_ARGS__, NULL })

/* How many lines of @text contain @what. */
static int count_lines(const char *text, const char *what)
{
	const char *line = text, *end;
	int n = 0;
	char *copy;

	while (*line) {
		end = strchrnul(line, '\n');
		copy = strndup(line, (size_t)(end - line));
		if (strstr(copy, what))
			n++;
		free(copy);
		line = *end ? end + 1 : end;
	}
	return n;
}

/* A flat real-mode binary at 0x7c00: UART output, exit port status. */
TEST(flat16_real_mode)
{
	struct test_cmd r;
	char *img = guest("flat16.bin");

	RUN(&r, NULL, "--load", "0x7c00", img);
	EXPECT_STREQ("hello from real mode\n", r.out);
	EXPECT_STREQ("", r.err);
	EXPECT_EQ(7, r.status);
	finish(_metadata, &r);
	free(img);
}

/* A flat 32-bit binary: UART input from svmx's stdin reaches the guest. */
TEST(flat32_uart_echo)
{
	struct test_cmd r;
	char *img = guest("flat32.bin");

	RUN(&r, "ping\n", "--load", "0x100000", "--bits", "32", img);
	EXPECT_STREQ("hello from protected mode\ngot: ping\n", r.out);
	EXPECT_STREQ("", r.err);
	EXPECT_EQ(3, r.status);
	finish(_metadata, &r);
	free(img);
}

/*
 * An ELF64 in long mode; fw_cfg's signature, CPU count and RAM size; an
 * unknown port and unknown MMIO read as all-ones and are logged once each.
 */
TEST(elf64_long_mode)
{
	struct test_cmd r;
	char *img = guest("elf64.elf");

	RUN(&r, NULL, "--mem", "64M", img);
	EXPECT_STREQ("hello from long mode\n"
		     "long mode: yes\n"
		     "fw_cfg: QEMU cpus=1 ram=0x4000000\n"
		     "port 0x1234: 0xffffffff 0xffffffff\n"
		     "mmio 0xd0000000: 0xffffffff 0xffffffff\n", r.out);
	EXPECT_EQ(1, count_lines(r.err, "unknown port 0x1234"));
	EXPECT_EQ(1, count_lines(r.err, "unknown MMIO address 0xd0000000"));
	EXPECT_EQ(2, count_lines(r.err, ""));
	EXPECT_EQ(42, r.status);
	finish(_metadata, &r);
	free(img);
}

/* RAM beyond 3 GiB sits above 4 GiB, mapped and usable from long mode. */
TEST(elf64_ram_above_4g)
{
	struct test_cmd r;
	char *img = guest("elf64.elf");

	RUN(&r, NULL, "--mem", "3076M", img);
	EXPECT_NE(NULL, strstr(r.out, "fw_cfg: QEMU cpus=1 ram=0xc0400000\n"));
	EXPECT_NE(NULL, strstr(r.out, "high ram: ok\n"));
	EXPECT_EQ(42, r.status);
	finish(_metadata, &r);
	free(img);
}

/* A multiboot ELF32: magic, command line, memory sizes and map, a module. */
TEST(multiboot_info)
{
	char *img = guest("multiboot.elf");
	char *mod = temp_file("module-data\nmore\n");
	char *modarg, *want;
	struct test_cmd r;

	ASSERT_LT(0, asprintf(&modarg, "%s modarg", mod));
	ASSERT_LT(0, asprintf(&want,
			      "hello from multiboot\n"
			      "magic: 0x2badb002\n"
			      "cmdline: [%s hello world]\n"
			      "mem: lower=640 upper=64512\n"
			      "mmap: 3 entries, 65152 KiB RAM\n"
			      "module: [%s modarg] 17 bytes, page-aligned=yes: module-data\n"
			      "loader: [svmx]\n", img, mod));
	RUN(&r, NULL, "--mem", "64M", "--cmdline", "hello world",
	    "--module", modarg, img);
	EXPECT_STREQ(want, r.out);
	EXPECT_STREQ("", r.err);
	EXPECT_EQ(5, r.status);
	finish(_metadata, &r);
	unlink(mod);
	free(mod);
	free(modarg);
	free(want);
	free(img);
}

/* With RAM above 4 GiB the map has a fourth entry; mem_upper stops at 3 GiB. */
TEST(multiboot_memory_map_above_4g)
{
	char *img = guest("multiboot.elf");
	struct test_cmd r;

	RUN(&r, NULL, "--mem", "3076M", img);
	EXPECT_NE(NULL, strstr(r.out, "mem: lower=640 upper=3144704\n"));
	EXPECT_NE(NULL, strstr(r.out, "mmap: 4 entries, 3149440 KiB RAM\n"));
	EXPECT_EQ(5, r.status);
	finish(_metadata, &r);
	free(img);
}

TEST(error_missing_image)
{
	struct test_cmd r;

	RUN(&r, NULL, "/nonexistent/image");
	EXPECT_NE(NULL, strstr(r.err, "cannot open image /nonexistent/image: No such file"));
	EXPECT_STREQ("", r.out);
	EXPECT_EQ(1, r.status);
	finish(_metadata, &r);
}

TEST(error_bad_format)
{
	char *img = temp_file("this is not a kernel\n");
	struct test_cmd r;

	RUN(&r, NULL, img);
	EXPECT_NE(NULL, strstr(r.err, "unrecognised format"));
	EXPECT_NE(NULL, strstr(r.err, "--load"));
	EXPECT_EQ(1, r.status);
	finish(_metadata, &r);
	unlink(img);
	free(img);
}

/* The ELF64 guest cut short inside its program headers. */
TEST(error_truncated_elf)
{
	char *img = guest("elf64.elf"), *cut;
	uint8_t *data;
	struct test_cmd r;
	FILE *f;

	f = fopen(img, "rb");
	ASSERT_NE(NULL, f);
	data = calloc(1, 100);
	ASSERT_EQ(100u, fread(data, 1, 100, f));
	fclose(f);
	cut = strdup("/tmp/svmx-run-XXXXXX");
	f = fdopen(mkstemp(cut), "wb");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(100u, fwrite(data, 1, 100, f));
	fclose(f);
	RUN(&r, NULL, cut);
	EXPECT_NE(NULL, strstr(r.err, "bad ELF file"));
	EXPECT_EQ(1, r.status);
	finish(_metadata, &r);
	unlink(cut);
	free(cut);
	free(data);
	free(img);
}

/* The ELF64 guest is linked at 1 MiB: 1 MiB of RAM cannot hold it. */
TEST(error_too_little_memory)
{
	char *img = guest("elf64.elf");
	struct test_cmd r;

	RUN(&r, NULL, "--mem", "1M", img);
	EXPECT_NE(NULL, strstr(r.err, "does not fit in guest RAM"));
	EXPECT_NE(NULL, strstr(r.err, "--mem"));
	EXPECT_STREQ("", r.out);
	EXPECT_EQ(1, r.status);
	finish(_metadata, &r);
	free(img);
}

TEST(error_no_device)
{
	char *img = guest("flat16.bin");
	struct test_cmd r;

	RUN_NODEV(&r, NULL, "--dev", "/nonexistent/dev", "--load", "0x7c00", img);
	EXPECT_NE(NULL, strstr(r.err, "cannot open /nonexistent/dev: No such file"));
	EXPECT_STREQ("", r.out);
	EXPECT_EQ(1, r.status);
	finish(_metadata, &r);
	free(img);
}

TEST(usage)
{
	struct test_cmd r;

	RUN_NODEV(&r, NULL, "--help");
	EXPECT_NE(NULL, strstr(r.out, "usage: svmx run"));
	EXPECT_EQ(0, r.status);
	finish(_metadata, &r);

	RUN_NODEV(&r, NULL, "--mem", "64M");
	EXPECT_NE(NULL, strstr(r.err, "no IMAGE given"));
	EXPECT_EQ(2, r.status);
	finish(_metadata, &r);

	RUN_NODEV(&r, NULL, "--mem", "lots", "x");
	EXPECT_NE(NULL, strstr(r.err, "--mem"));
	EXPECT_EQ(2, r.status);
	finish(_metadata, &r);
}

TEST_HARNESS_MAIN
