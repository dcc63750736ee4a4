// SPDX-License-Identifier: GPL-2.0
/* Running a program with given input and capturing its output; see svmx_test.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "svmx_test.h"

/* A temporary file, already unlinked, holding @text; its fd or -1. */
static int temp_fd(const char *text)
{
	char path[] = "/tmp/svmx-test-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (text && (write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
		     lseek(fd, 0, SEEK_SET) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* All of @fd from the start, NUL-terminated, to free(). */
static char *slurp(int fd)
{
	struct stat st;
	char *buf;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return NULL;
	n = pread(fd, buf, (size_t)st.st_size, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

int test_run_cmd(char *const argv[], const char *input, int timeout_s,
		 struct test_cmd *r)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int in, out, err, status, waited = 0;
	pid_t pid, w;

	memset(r, 0, sizeof(*r));
	in = temp_fd(input ? input : "");
	out = temp_fd(NULL);
	err = temp_fd(NULL);
	if (in < 0 || out < 0 || err < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(argv[0], argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (waited++ >= timeout_s * 100) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			r->timed_out = true;
			break;
		}
		nanosleep(&tick, NULL);
	}
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
	r->out = slurp(out);
	r->err = slurp(err);
	close(in);
	close(out);
	close(err);
	return r->out && r->err ? 0 : -1;
}

void test_cmd_free(struct test_cmd *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
