/*
 * Preloaded into keepalived by the comparison tests (tests/support/lab.py) so that its checker process
 * starts, and dumps the virtual servers it parsed, on machines without the ip_vs kernel module.
 * It answers keepalived's IPVS socket options (IP_VS_BASE_CTL = 64 + 1024 + 64 = 1152 and up)
 * with success and an empty table; every other socket option goes to the C library.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define IPVS_FIRST 1152
#define IPVS_LAST 1199
#define IPVS_GET_INFO 1153

static int is_ipvs(int level, int name)
{
	return level == IPPROTO_IP && name >= IPVS_FIRST && name <= IPVS_LAST;
}

int getsockopt(int fd, int level, int name, void *value, socklen_t *length)
{
	static int (*next)(int, int, int, void *, socklen_t *);

	if (is_ipvs(level, name)) {
		memset(value, 0, *length);
		if (name == IPVS_GET_INFO && *length >= 3 * sizeof(unsigned)) {
			unsigned *info = value;
			info[0] = 0x010201; /* version 1.2.1 */
			info[1] = 4096;     /* connection table size */
		}
		return 0;
	}
	if (!next)
		next = (int (*)(int, int, int, void *, socklen_t *))dlsym(RTLD_NEXT, "getsockopt");
	return next(fd, level, name, value, length);
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t length)
{
	static int (*next)(int, int, int, const void *, socklen_t);

	if (is_ipvs(level, name))
		return 0;
	if (!next)
		next = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	return next(fd, level, name, value, length);
}
