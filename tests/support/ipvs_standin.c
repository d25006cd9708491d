/*
 * Preloaded into keepalived by the comparison tests (tests/support/lab.py) so that its checker process
 * starts, and dumps the virtual servers it parsed, on machines without the ip_vs kernel module.
 *
 * keepalived talks to IPVS two ways, and this answers both with success and an empty table:
 * - socket options (IP_VS_BASE_CTL = 64 + 1024 + 64 = 1152 and up): keepalived 2.2 falls back to
 *   them when the generic netlink family "IPVS" cannot be resolved;
 * - generic netlink, through libnl: keepalived 2.4 has no fallback (check/libipvs.c, ipvs_init and
 *   ipvs_getinfo), so the family is made to resolve, the messages sent to it are dropped and each
 *   is answered with an acknowledgement (IPVS_CMD_GET_INFO first with a version and a table size).
 * Every other socket option and netlink socket goes to the libraries. libnl is not linked here:
 * its functions are looked up in the process, which has it loaded (libnl's enum values below are
 * those of netlink/handlers.h, part of its ABI).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define IPVS_FIRST 1152
#define IPVS_LAST 1199
#define IPVS_GET_INFO 1153
#define IPVS_FAMILY 0x7ead /* the id genl_ctrl_resolve gives "IPVS": any id the kernel does not use */

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

/* libnl, as far as keepalived's IPVS code uses it */
struct nl_sock;
struct nl_msg;
typedef int (*nl_recvmsg_msg_cb_t)(struct nl_msg *, void *);
enum { NL_CB_VALID = 0, NL_CB_ACK = 4, NL_CB_TYPES = 11 };

static struct nl_sock *ipvs_sock;            /* the socket "IPVS" was resolved on */
static nl_recvmsg_msg_cb_t handler[NL_CB_TYPES];
static void *handler_arg[NL_CB_TYPES];
static int pending_cmd = -1;                 /* the command of the message "sent", until answered */

#define NEXT(name, type) ((type)dlsym(RTLD_NEXT, name))
#define LIBNL(name, type) ((type)dlsym(RTLD_DEFAULT, name))

int genl_ctrl_resolve(struct nl_sock *sock, const char *name)
{
	if (!strcmp(name, IPVS_GENL_NAME)) {
		ipvs_sock = sock;
		return IPVS_FAMILY;
	}
	return NEXT("genl_ctrl_resolve", int (*)(struct nl_sock *, const char *))(sock, name);
}

int nl_socket_modify_cb(struct nl_sock *sock, int type, int kind, nl_recvmsg_msg_cb_t func, void *arg)
{
	if (sock == ipvs_sock && type >= 0 && type < NL_CB_TYPES) {
		handler[type] = func;
		handler_arg[type] = arg;
	}
	return NEXT("nl_socket_modify_cb", int (*)(struct nl_sock *, int, int, nl_recvmsg_msg_cb_t, void *))(
		sock, type, kind, func, arg);
}

int nl_send_auto(struct nl_sock *sock, struct nl_msg *msg)
{
	if (sock == ipvs_sock) {
		struct nlmsghdr *header = LIBNL("nlmsg_hdr", struct nlmsghdr *(*)(struct nl_msg *))(msg);
		pending_cmd = ((struct genlmsghdr *)NLMSG_DATA(header))->cmd;
		return (int)header->nlmsg_len;
	}
	return NEXT("nl_send_auto", int (*)(struct nl_sock *, struct nl_msg *))(sock, msg);
}

/* The answer to IPVS_CMD_GET_INFO: what keepalived checks is there (ipvs_getinfo_parse_cb). */
static struct nl_msg *info_reply(void)
{
	struct nl_msg *msg = LIBNL("nlmsg_alloc", struct nl_msg *(*)(void))();
	int (*put_u32)(struct nl_msg *, int, uint32_t) = LIBNL("nla_put_u32", int (*)(struct nl_msg *, int, uint32_t));

	if (!msg)
		return NULL;
	LIBNL("genlmsg_put", void *(*)(struct nl_msg *, uint32_t, uint32_t, int, int, int, uint8_t, uint8_t))(
		msg, 0, 0, IPVS_FAMILY, 0, 0, IPVS_CMD_GET_INFO, IPVS_GENL_VERSION);
	put_u32(msg, IPVS_INFO_ATTR_VERSION, 0x010201);
	put_u32(msg, IPVS_INFO_ATTR_CONN_TAB_SIZE, 4096);
	return msg;
}

int nl_recvmsgs_default(struct nl_sock *sock)
{
	struct nl_msg *reply;

	if (sock != ipvs_sock)
		return NEXT("nl_recvmsgs_default", int (*)(struct nl_sock *))(sock);
	reply = info_reply();
	if (reply && pending_cmd == IPVS_CMD_GET_INFO && handler[NL_CB_VALID])
		handler[NL_CB_VALID](reply, handler_arg[NL_CB_VALID]);
	if (reply && handler[NL_CB_ACK])
		handler[NL_CB_ACK](reply, handler_arg[NL_CB_ACK]);
	if (reply)
		LIBNL("nlmsg_free", void (*)(struct nl_msg *))(reply);
	pending_cmd = -1;
	return 0;
}
