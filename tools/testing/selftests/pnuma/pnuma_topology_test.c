// SPDX-License-Identifier: GPL-2.0
/*
 * Checks the machine pnuma is tested on: two NUMA nodes, each with a CPU,
 * memory and exactly one fsdax persistent-memory namespace whose memmap
 * (struct pages) lives on the device, exposed as a DAX-capable /dev/pmemN.
 *
 * Outside the pnuma QEMU guest this is a precondition check: it skips when
 * the machine has fewer than two nodes.
 */

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define ND_DEVICES "/sys/bus/nd/devices"
#define NODE_DIR "/sys/devices/system/node/node%d"
#define MAX_NODES 2

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
	struct pmem_ns ns[8];
	int nr_ns;
};

FIXTURE_SETUP(topology)
{
	int nodes = online_nodes();

	if (nodes == 1 || nodes == 0)
		SKIP(return, "needs two NUMA nodes, this machine has %d", nodes);
	ASSERT_EQ(MAX_NODES, nodes);
	self->nr_ns = find_fsdax_namespaces(self->ns, ARRAY_SIZE(self->ns));
}

FIXTURE_TEARDOWN(topology)
{
}

TEST_F(topology, each_node_has_cpu_and_memory)
{
	char buf[4096];
	int node;

	for (node = 0; node < MAX_NODES; node++) {
		unsigned long total_kb;
		char *p;

		ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf), NODE_DIR "/cpulist",
					      node));
		EXPECT_NE('\0', buf[0]) TH_LOG("node %d has no CPU", node);
		ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf), NODE_DIR "/meminfo",
					      node));
		p = strstr(buf, "MemTotal:");
		ASSERT_NE(NULL, p);
		total_kb = strtoul(p + strlen("MemTotal:"), NULL, 10);
		EXPECT_LT(64UL * 1024, total_kb)
			TH_LOG("node %d has only %lu kB of memory", node, total_kb);
	}
}

TEST_F(topology, one_fsdax_namespace_per_node)
{
	int per_node[MAX_NODES] = { 0 };
	int i;

	for (i = 0; i < self->nr_ns; i++) {
		ASSERT_LE(0, self->ns[i].node);
		ASSERT_GT(MAX_NODES, self->ns[i].node);
		per_node[self->ns[i].node]++;
	}
	for (i = 0; i < MAX_NODES; i++) {
		EXPECT_EQ(1, per_node[i])
			TH_LOG("node %d has %d fsdax namespaces", i, per_node[i]);
	}
}

TEST_F(topology, memmap_on_device)
{
	char buf[64];
	int i;

	ASSERT_LT(0, self->nr_ns);
	for (i = 0; i < self->nr_ns; i++) {
		ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf), ND_DEVICES "/%s/mode",
					      self->ns[i].holder));
		/* "pmem": struct pages on the device (ndctl -M dev) */
		EXPECT_STREQ("pmem", buf) TH_LOG("%s", self->ns[i].holder);
	}
}

TEST_F(topology, dax_block_device_per_namespace)
{
	char name[NAME_MAX + 1], path[PATH_MAX], buf[64];
	struct stat st;
	int i;

	ASSERT_LT(0, self->nr_ns);
	for (i = 0; i < self->nr_ns; i++) {
		ASSERT_EQ(0, pfn_block_name(self->ns[i].holder, name,
					    sizeof(name)));
		snprintf(path, sizeof(path), "/dev/%s", name);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_TRUE(S_ISBLK(st.st_mode));
		ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf),
					      "/sys/block/%s/queue/dax", name));
		EXPECT_STREQ("1", buf) TH_LOG("%s is not DAX capable", name);
		ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf),
					      "/sys/block/%s/device/numa_node", name));
		EXPECT_EQ(self->ns[i].node, atoi(buf)) TH_LOG("%s", name);
	}
}

TEST_HARNESS_MAIN
