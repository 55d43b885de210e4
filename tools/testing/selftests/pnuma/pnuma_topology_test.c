// SPDX-License-Identifier: GPL-2.0
/*
 * What pnuma makes of the machine's topology: each member of a pool
 * reports the NUMA node of its persistent-memory device, a page first
 * touched from a CPU of a member's node lands on that member, and every
 * member is an fsdax namespace whose memmap (struct pages) lives on the
 * device, as pnuma requires.
 *
 * Skips, saying why, on a machine with fewer than two NUMA nodes, without
 * fsdax persistent memory, or without an assembled pool.
 */

#include <dirent.h>

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define ND_DEVICES "/sys/bus/nd/devices"
#define NODE_DIR "/sys/devices/system/node/node%d"
#define POOL "pnuma0"

struct pmem_ns {
	char name[NAME_MAX + 1];	/* namespaceX.Y */
	char holder[NAME_MAX + 1];	/* pfnX.Y */
	int node;
};

/*
 * Collect the fsdax namespaces: those claimed by a pfn device. The kernel
 * reports their mode as "memory"; ndctl calls it fsdax. Returns how many
 * were stored in @ns.
 */
static int find_fsdax_namespaces(struct pmem_ns *ns, int max)
{
	struct dirent *de;
	char buf[256];
	int n = 0;
	DIR *dir;

	dir = opendir(ND_DEVICES);
	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < max) {
		struct pmem_ns *p = &ns[n];

		if (strncmp(de->d_name, "namespace", 9))
			continue;
		if (pnuma_sysfs_read(p->holder, sizeof(p->holder),
				     ND_DEVICES "/%s/holder", de->d_name) ||
		    strncmp(p->holder, "pfn", 3))
			continue;
		if (pnuma_sysfs_read(buf, sizeof(buf), ND_DEVICES "/%s/mode",
				     de->d_name) || strcmp(buf, "memory"))
			continue;
		if (pnuma_sysfs_read(buf, sizeof(buf), ND_DEVICES "/%s/numa_node",
				     de->d_name))
			continue;
		snprintf(p->name, sizeof(p->name), "%s", de->d_name);
		p->node = atoi(buf);
		n++;
	}
	closedir(dir);
	return n;
}

/* The pmemN block device below a pfn device, found through sysfs. */
static int pfn_block_name(const char *pfn, char *out, size_t size)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), ND_DEVICES "/%s/block", pfn);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (!strncmp(de->d_name, "pmem", 4)) {
			snprintf(out, size, "%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(dir);
	return ret;
}

/* The node a member's sysfs reports, or -2. */
static int member_node(int i)
{
	char buf[64];

	if (pnuma_sysfs_read(buf, sizeof(buf), PNUMA_SYSFS "/" POOL "/members/%d/node", i))
		return -2;
	return atoi(buf);
}

static int online_nodes(void)
{
	char buf[64];

	if (pnuma_sysfs_read(buf, sizeof(buf), "/sys/devices/system/node/online"))
		return 0;
	if (!strcmp(buf, "0"))
		return 1;
	if (!strcmp(buf, "0-1"))
		return 2;
	return -1;	/* anything else: not the topology this test knows */
}

FIXTURE(topology) {
	struct pmem_ns ns[64];
	int nr_ns;
	int nr_members;
};

FIXTURE_SETUP(topology)
{
	int nodes = online_nodes();

	if (nodes == 1 || nodes == 0)
		SKIP(return, "needs two NUMA nodes, this machine has %d", nodes);
	if (nodes < 0)
		SKIP(return, "needs NUMA nodes 0 and 1 online, and no others");
	self->nr_ns = find_fsdax_namespaces(self->ns, ARRAY_SIZE(self->ns));
	if (!self->nr_ns)
		SKIP(return, "no fsdax persistent-memory namespace");
	if (geteuid())
		SKIP(return, "must be run as root");
	if (access("/dev/" POOL, F_OK))
		SKIP(return, "no pool: /dev/" POOL " is missing");
	self->nr_members = pnuma_sysfs_num(PNUMA_SYSFS "/%s/nr_members", POOL);
	ASSERT_LT(0, self->nr_members);
}

FIXTURE_TEARDOWN(topology)
{
}

/* The fsdax namespace whose pfn device holds block device @dev, or NULL. */
static const struct pmem_ns *ns_of_block(const struct pmem_ns *ns, int nr,
					 const char *dev)
{
	char name[NAME_MAX + 1];
	int i;

	for (i = 0; i < nr; i++)
		if (!pfn_block_name(ns[i].holder, name, sizeof(name)) &&
		    !strcmp(name, dev))
			return &ns[i];
	return NULL;
}

/* The kernel's node for each member is its device's, as sysfs shows it. */
TEST_F(topology, members_report_their_devices_node)
{
	char dev[NAME_MAX + 1], buf[64];
	int i;

	for (i = 0; i < self->nr_members; i++) {
		ASSERT_EQ(0, pnuma_sysfs_read(dev, sizeof(dev), PNUMA_SYSFS
					      "/" POOL "/members/%d/device", i));
		ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf),
					      "/sys/block/%s/device/numa_node", dev));
		EXPECT_EQ(atoi(buf), member_node(i)) TH_LOG("member %d (%s)", i, dev);
	}
}

/* Every member is an fsdax namespace with its memmap on the device. */
TEST_F(topology, members_are_fsdax_with_memmap_on_device)
{
	char dev[NAME_MAX + 1], buf[64];
	const struct pmem_ns *ns;
	int i;

	for (i = 0; i < self->nr_members; i++) {
		ASSERT_EQ(0, pnuma_sysfs_read(dev, sizeof(dev), PNUMA_SYSFS
					      "/" POOL "/members/%d/device", i));
		ns = ns_of_block(self->ns, self->nr_ns, dev);
		ASSERT_NE(NULL, ns) TH_LOG("member %d (%s) is no fsdax namespace", i, dev);
		ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf), ND_DEVICES "/%s/mode",
					      ns->holder));
		/* "pmem": struct pages on the device (ndctl -M dev) */
		EXPECT_STREQ("pmem", buf) TH_LOG("%s", ns->holder);
		ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf),
					      "/sys/block/%s/queue/dax", dev));
		EXPECT_STREQ("1", buf) TH_LOG("%s is not DAX capable", dev);
	}
}

/* A first touch from a CPU of a member's node lands on that node. */
TEST_F(topology, first_touch_lands_on_the_touchers_node)
{
	unsigned long long logical;
	int i, fd, cpu, node;
	long long lpn;
	char *map;

	logical = pnuma_sysfs_num(PNUMA_SYSFS "/%s/logical_pages", POOL);
	fd = open("/dev/" POOL, O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < self->nr_members; i++) {
		node = member_node(i);
		cpu = pnuma_node_cpu(node);
		if (cpu < 0)
			continue;	/* a CPU-less node: nobody touches from it */
		lpn = pnuma_free_window(fd, logical, 1);
		ASSERT_LE(0, lpn);
		map = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, lpn * PNUMA_PAGE);
		ASSERT_NE(MAP_FAILED, map);
		ASSERT_EQ(0, pnuma_pin_cpu(cpu));
		map[0] = 1;
		EXPECT_EQ(node, pnuma_node_of(map)) TH_LOG("member %d", i);
		munmap(map, PNUMA_PAGE);
	}
	close(fd);
}

TEST_HARNESS_MAIN
