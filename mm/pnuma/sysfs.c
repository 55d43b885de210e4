// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma's sysfs interface, /sys/kernel/mm/pnuma/:
 *
 *   create, assemble, stop      pool lifecycle (write only, root)
 *   <pool>/                     one folder per assembled pool: its state
 *   <pool>/members/<index>/     one folder per member
 *
 * Documented in Documentation/ABI/testing/sysfs-kernel-mm-pnuma.
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/capability.h>
#include <linux/dax.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "internal.h"

static struct kobject *pnuma_kobj;

/* "[force] [size=BYTES] DEVICE..." */
static ssize_t create_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	const char *paths[PNUMA_MAX_MEMBERS];
	char *args, *p, *tok, *end;
	unsigned long long size = 0;
	unsigned int nr = 0;
	bool force = false;
	int err = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	args = kstrndup(buf, count, GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	p = args;
	while (!err && (tok = strsep(&p, " \t\n"))) {
		if (!*tok)
			continue;
		if (!strcmp(tok, "force")) {
			force = true;
		} else if (str_has_prefix(tok, "size=")) {
			size = memparse(tok + 5, &end);
			if (*end || !size || size & ~PAGE_MASK) {
				pr_warn("create: bad size '%s': a multiple of the page size\n",
					tok + 5);
				err = -EINVAL;
			}
		} else if (tok[0] == '/' && nr < PNUMA_MAX_MEMBERS) {
			paths[nr++] = tok;
		} else {
			pr_warn("create: unexpected '%s': want [force] [size=BYTES] and at most %d device paths\n",
				tok, PNUMA_MAX_MEMBERS);
			err = -EINVAL;
		}
	}
	if (!err && !nr) {
		pr_warn("create: no device given\n");
		err = -EINVAL;
	}
	if (!err)
		err = pnuma_pool_create(paths, nr, force, size >> PAGE_SHIFT);
	kfree(args);
	return err ?: count;
}

static ssize_t assemble_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (sysfs_streq(buf, "scan"))
		err = pnuma_scan(true, false);
	else if (sysfs_streq(buf, "readonly"))
		err = pnuma_scan(true, true);
	else
		return -EINVAL;
	return err ?: count;
}

static ssize_t stop_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = pnuma_pool_stop(buf);
	return err ?: count;
}

static struct kobj_attribute pnuma_create_attr = __ATTR_WO(create);
static struct kobj_attribute pnuma_assemble_attr = __ATTR_WO(assemble);
static struct kobj_attribute pnuma_stop_attr = __ATTR_WO(stop);

static struct attribute *pnuma_top_attrs[] = {
	&pnuma_create_attr.attr,
	&pnuma_assemble_attr.attr,
	&pnuma_stop_attr.attr,
	NULL,
};

static const struct attribute_group pnuma_top_group = {
	.attrs = pnuma_top_attrs,
};

#define to_pool(k) container_of(k, struct pnuma_pool, kobj)
#define to_member(k) container_of(k, struct pnuma_member, kobj)

static ssize_t pool_uuid_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%pUb\n", to_pool(kobj)->uuid);
}

static ssize_t pool_state_show(struct kobject *kobj, struct kobj_attribute *attr,
			       char *buf)
{
	static const char * const names[] = {
		[PNUMA_POOL_SETUP] = "setup",
		[PNUMA_POOL_ACTIVE] = "active",
		[PNUMA_POOL_STOPPING] = "stopping",
		[PNUMA_POOL_DEAD] = "dead",
	};

	return sysfs_emit(buf, "%s\n", names[READ_ONCE(to_pool(kobj)->state)]);
}

static ssize_t pool_logical_pages_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_pool(kobj)->logical_pages);
}

static ssize_t pool_used_pages_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", pnuma_pool_used_pages(to_pool(kobj)));
}

static ssize_t pool_clean_shutdown_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_pool(kobj)->clean_shutdown);
}

static ssize_t pool_read_only_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_pool(kobj)->read_only);
}

static ssize_t pool_fallback_allocations_show(struct kobject *kobj,
					      struct kobj_attribute *attr,
					      char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&to_pool(kobj)->fallback_allocs));
}

static ssize_t pool_reserve_pages_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_pool(kobj)->reserve_pages);
}

static ssize_t pool_exchanged_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&to_pool(kobj)->exchanged));
}

static ssize_t pool_pages_migrated_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&to_pool(kobj)->pages_migrated));
}

static ssize_t pool_migrate_failed_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&to_pool(kobj)->migrate_failed));
}

static ssize_t pool_media_errors_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&to_pool(kobj)->media_errors));
}

static ssize_t pool_journal_replayed_show(struct kobject *kobj,
					  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", to_pool(kobj)->recovery.replayed);
}

static ssize_t pool_journal_discarded_show(struct kobject *kobj,
					   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", to_pool(kobj)->recovery.discarded);
}

static ssize_t pool_journal_pending_show(struct kobject *kobj,
					 struct kobj_attribute *attr, char *buf)
{
	struct pnuma_pool *pool = to_pool(kobj);
	unsigned int i;
	u64 n = 0;
	int id;

	id = dax_read_lock();
	for (i = 0; i < pool->nr_members; i++)
		if (dax_alive(pool->members[i]->dax_dev))
			n += pnuma_journal_pending(&pool->members[i]->media);
	dax_read_unlock(id);
	return sysfs_emit(buf, "%llu\n", n);
}

static ssize_t pool_recovery_us_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_pool(kobj)->recovery_us);
}

static ssize_t pool_nr_members_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_pool(kobj)->nr_members);
}

static struct kobj_attribute pool_uuid_attr = __ATTR(uuid, 0444, pool_uuid_show, NULL);
static struct kobj_attribute pool_state_attr = __ATTR(state, 0444, pool_state_show, NULL);
static struct kobj_attribute pool_logical_pages_attr =
	__ATTR(logical_pages, 0444, pool_logical_pages_show, NULL);
static struct kobj_attribute pool_used_pages_attr =
	__ATTR(used_pages, 0444, pool_used_pages_show, NULL);
static struct kobj_attribute pool_clean_shutdown_attr =
	__ATTR(clean_shutdown, 0444, pool_clean_shutdown_show, NULL);
static struct kobj_attribute pool_read_only_attr =
	__ATTR(read_only, 0444, pool_read_only_show, NULL);
static struct kobj_attribute pool_fallback_allocations_attr =
	__ATTR(fallback_allocations, 0444, pool_fallback_allocations_show, NULL);
static struct kobj_attribute pool_reserve_pages_attr =
	__ATTR(reserve_pages, 0444, pool_reserve_pages_show, NULL);
static struct kobj_attribute pool_exchanged_attr =
	__ATTR(exchanged, 0444, pool_exchanged_show, NULL);
static struct kobj_attribute pool_nr_members_attr =
	__ATTR(nr_members, 0444, pool_nr_members_show, NULL);
static struct kobj_attribute pool_pages_migrated_attr =
	__ATTR(pages_migrated, 0444, pool_pages_migrated_show, NULL);
static struct kobj_attribute pool_migrate_failed_attr =
	__ATTR(migrate_failed, 0444, pool_migrate_failed_show, NULL);
static struct kobj_attribute pool_media_errors_attr =
	__ATTR(media_errors, 0444, pool_media_errors_show, NULL);
static struct kobj_attribute pool_journal_replayed_attr =
	__ATTR(journal_replayed, 0444, pool_journal_replayed_show, NULL);
static struct kobj_attribute pool_journal_discarded_attr =
	__ATTR(journal_discarded, 0444, pool_journal_discarded_show, NULL);
static struct kobj_attribute pool_journal_pending_attr =
	__ATTR(journal_pending, 0444, pool_journal_pending_show, NULL);
static struct kobj_attribute pool_recovery_us_attr =
	__ATTR(recovery_us, 0444, pool_recovery_us_show, NULL);

/* /sys/kernel/mm/pnuma/<pool>/numa/: what NUMA balancing did with it. */
#define PNUMA_NUMA_ATTR(_name, _field)					\
static ssize_t numa_##_name##_show(struct kobject *kobj,		\
				   struct kobj_attribute *attr,		\
				   char *buf)				\
{									\
	return sysfs_emit(buf, "%lld\n",				\
			  atomic64_read(&to_pool(kobj)->numa._field));	\
}									\
static struct kobj_attribute numa_##_name##_attr =			\
	__ATTR(_name, 0444, numa_##_name##_show, NULL)

PNUMA_NUMA_ATTR(hint_faults, hint_faults);
PNUMA_NUMA_ATTR(hint_faults_local, hint_faults_local);
PNUMA_NUMA_ATTR(pages_migrated, migrated);
PNUMA_NUMA_ATTR(migrate_failed, migrate_failed);
PNUMA_NUMA_ATTR(rate_limited, rate_limited);
PNUMA_NUMA_ATTR(backoff, backoff);

static ssize_t numa_balanced_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_pool(kobj)->numa.balanced);
}

static struct kobj_attribute numa_balanced_attr =
	__ATTR(balanced, 0444, numa_balanced_show, NULL);

static struct attribute *pnuma_numa_attrs[] = {
	&numa_balanced_attr.attr,
	&numa_hint_faults_attr.attr,
	&numa_hint_faults_local_attr.attr,
	&numa_pages_migrated_attr.attr,
	&numa_migrate_failed_attr.attr,
	&numa_rate_limited_attr.attr,
	&numa_backoff_attr.attr,
	NULL,
};

static const struct attribute_group pnuma_numa_group = {
	.name = "numa",
	.attrs = pnuma_numa_attrs,
};

static struct attribute *pnuma_pool_attrs[] = {
	&pool_uuid_attr.attr,
	&pool_state_attr.attr,
	&pool_logical_pages_attr.attr,
	&pool_used_pages_attr.attr,
	&pool_clean_shutdown_attr.attr,
	&pool_read_only_attr.attr,
	&pool_fallback_allocations_attr.attr,
	&pool_reserve_pages_attr.attr,
	&pool_exchanged_attr.attr,
	&pool_nr_members_attr.attr,
	&pool_pages_migrated_attr.attr,
	&pool_migrate_failed_attr.attr,
	&pool_media_errors_attr.attr,
	&pool_journal_replayed_attr.attr,
	&pool_journal_discarded_attr.attr,
	&pool_journal_pending_attr.attr,
	&pool_recovery_us_attr.attr,
	NULL,
};

static const struct attribute_group pnuma_pool_group = {
	.attrs = pnuma_pool_attrs,
};

static const struct attribute_group *pnuma_pool_groups[] = {
	&pnuma_pool_group,
	&pnuma_numa_group,
	NULL,
};

static ssize_t member_device_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_member(kobj)->name);
}

static ssize_t member_node_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_member(kobj)->node);
}

static ssize_t member_format_node_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	u32 node = to_member(kobj)->media.sb.home_node;

	return sysfs_emit(buf, "%d\n", node == PNUMA_NO_NODE ? -1 : (int)node);
}

static ssize_t member_uuid_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%pUb\n", to_member(kobj)->media.sb.member_uuid);
}

static ssize_t member_capacity_pages_show(struct kobject *kobj,
					  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_member(kobj)->media.sb.geo.data_pages);
}

static ssize_t member_used_pages_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(to_member(kobj)->nr_used));
}

static ssize_t member_bad_pages_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(to_member(kobj)->nr_bad));
}

static struct kobj_attribute member_device_attr =
	__ATTR(device, 0444, member_device_show, NULL);
static struct kobj_attribute member_node_attr =
	__ATTR(node, 0444, member_node_show, NULL);
static struct kobj_attribute member_format_node_attr =
	__ATTR(format_node, 0444, member_format_node_show, NULL);
static struct kobj_attribute member_uuid_attr =
	__ATTR(uuid, 0444, member_uuid_show, NULL);
static struct kobj_attribute member_capacity_pages_attr =
	__ATTR(capacity_pages, 0444, member_capacity_pages_show, NULL);
static struct kobj_attribute member_used_pages_attr =
	__ATTR(used_pages, 0444, member_used_pages_show, NULL);
static struct kobj_attribute member_bad_pages_attr =
	__ATTR(bad_pages, 0444, member_bad_pages_show, NULL);

static struct attribute *pnuma_member_attrs[] = {
	&member_device_attr.attr,
	&member_node_attr.attr,
	&member_format_node_attr.attr,
	&member_uuid_attr.attr,
	&member_capacity_pages_attr.attr,
	&member_used_pages_attr.attr,
	&member_bad_pages_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(pnuma_member);

/* The last reference to a pool frees it, its members and its map. */
static void pnuma_pool_release(struct kobject *kobj)
{
	struct pnuma_pool *pool = to_pool(kobj);
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++)
		if (pool->members[i])
			kobject_put(&pool->members[i]->kobj);
	xa_destroy(&pool->map);
	pnuma_numa_free(pool);
	kfree(pool);
}

static void pnuma_member_release(struct kobject *kobj)
{
	struct pnuma_member *m = to_member(kobj);

	kvfree(m->used);
	kfree(m);
}

const struct kobj_type pnuma_pool_ktype = {
	.release = pnuma_pool_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = pnuma_pool_groups,
};

const struct kobj_type pnuma_member_ktype = {
	.release = pnuma_member_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = pnuma_member_groups,
};

/**
 * pnuma_sysfs_add_pool() - create /sys/kernel/mm/pnuma/<pool>/
 * @pool: the pool, named
 *
 * Return: 0 or a negative errno, with nothing left behind.
 */
int pnuma_sysfs_add_pool(struct pnuma_pool *pool)
{
	unsigned int i;
	int err;

	err = kobject_add(&pool->kobj, pnuma_kobj, "%s", pool->name);
	if (err)
		return err;
	pool->members_kobj = kobject_create_and_add("members", &pool->kobj);
	if (!pool->members_kobj) {
		err = -ENOMEM;
		goto err_pool;
	}
	for (i = 0; i < pool->nr_members; i++) {
		err = kobject_add(&pool->members[i]->kobj, pool->members_kobj,
				  "%u", i);
		if (err)
			goto err_members;
	}
	return 0;

err_members:
	while (i--)
		kobject_del(&pool->members[i]->kobj);
	kobject_put(pool->members_kobj);
	pool->members_kobj = NULL;
err_pool:
	kobject_del(&pool->kobj);
	return err;
}

/**
 * pnuma_sysfs_del_pool() - remove /sys/kernel/mm/pnuma/<pool>/
 * @pool: the pool
 */
void pnuma_sysfs_del_pool(struct pnuma_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++)
		kobject_del(&pool->members[i]->kobj);
	kobject_put(pool->members_kobj);
	pool->members_kobj = NULL;
	kobject_del(&pool->kobj);
}

/**
 * pnuma_sysfs_init() - create /sys/kernel/mm/pnuma/
 *
 * Return: 0 or a negative errno.
 */
int __init pnuma_sysfs_init(void)
{
	int err;

	pnuma_kobj = kobject_create_and_add("pnuma", mm_kobj);
	if (!pnuma_kobj)
		return -ENOMEM;
	err = sysfs_create_group(pnuma_kobj, &pnuma_top_group);
	if (err) {
		kobject_put(pnuma_kobj);
		pnuma_kobj = NULL;
	}
	return err;
}
