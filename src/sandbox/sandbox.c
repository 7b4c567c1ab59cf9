/* sandbox.c - privileges, rlimits and seccomp for worker processes. */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <grp.h>
#include <linux/landlock.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "sandbox/privs.h"
#include "util/tree.h"

static gboolean
fail (GError **error, const char *step)
{
  return mg_privs_errno_error (error, "sandbox", step);
}

/* Become the worker user alone (see privs.c); never run input as root. */
static gboolean
drop_root (const MgSandboxLimits *limits, GError **error)
{
  if (limits->uid == 0) {
    errno = EPERM;
    return fail (error, "no worker user: workers never run as root");
  }
  return mg_privs_become_worker (limits->uid, limits->gid, error);
}

static gboolean
set_limit (int resource, rlim_t value, const char *name, GError **error)
{
  struct rlimit rl = { value, value };

  if (setrlimit (resource, &rl) != 0)
    return fail (error, name);
  return TRUE;
}

static gboolean
set_limits (const MgSandboxLimits *limits, GError **error)
{
  /* AddressSanitizer reserves terabytes of shadow address space: an address
   * space limit would stop every instrumented worker, so the test build
   * relies on the deadline and the other limits. */
#ifndef __SANITIZE_ADDRESS__
  if (!set_limit (RLIMIT_AS, (rlim_t) limits->max_memory_mb << 20, "RLIMIT_AS", error))
    return FALSE;
#endif
  return set_limit (RLIMIT_CPU, (rlim_t) limits->max_cpu_seconds, "RLIMIT_CPU", error) &&
         set_limit (RLIMIT_FSIZE, (rlim_t) limits->max_file_size, "RLIMIT_FSIZE", error) &&
         set_limit (RLIMIT_NOFILE, (rlim_t) limits->max_open_files, "RLIMIT_NOFILE", error) &&
         set_limit (RLIMIT_CORE, 0, "RLIMIT_CORE", error);
}

/* What the parsers and the pipeline need, on descriptors they hold. */
static const int allowed[] = {
  SCMP_SYS (read),
  SCMP_SYS (write),
  SCMP_SYS (readv),
  SCMP_SYS (writev),
  SCMP_SYS (pread64),
  SCMP_SYS (close),
  SCMP_SYS (fstat),
  SCMP_SYS (newfstatat),
  SCMP_SYS (statx),
  SCMP_SYS (lseek),
  SCMP_SYS (mmap),
  SCMP_SYS (munmap),
  SCMP_SYS (mremap),
  SCMP_SYS (mprotect),
  SCMP_SYS (brk),
  SCMP_SYS (madvise),
  SCMP_SYS (futex),
  SCMP_SYS (set_robust_list),
  SCMP_SYS (rseq),
  SCMP_SYS (clock_gettime),
  SCMP_SYS (clock_getres),
  SCMP_SYS (gettimeofday),
  SCMP_SYS (nanosleep),
  SCMP_SYS (clock_nanosleep),
  SCMP_SYS (getrandom),
  SCMP_SYS (exit),
  SCMP_SYS (exit_group),
  SCMP_SYS (rt_sigreturn),
  SCMP_SYS (rt_sigaction),
  SCMP_SYS (rt_sigprocmask),
  SCMP_SYS (sigaltstack),
  SCMP_SYS (getpid),
  SCMP_SYS (gettid),
  SCMP_SYS (getuid),
  SCMP_SYS (geteuid),
  SCMP_SYS (getgid),
  SCMP_SYS (getegid),
  SCMP_SYS (sched_yield),
  SCMP_SYS (sched_getaffinity),
  SCMP_SYS (poll),
  SCMP_SYS (ppoll),
  SCMP_SYS (dup),
  SCMP_SYS (dup2),
  SCMP_SYS (dup3),
  SCMP_SYS (fcntl),
  SCMP_SYS (getcwd),
  SCMP_SYS (sysinfo),
  SCMP_SYS (uname),
  SCMP_SYS (prlimit64),
  SCMP_SYS (getrlimit),
  SCMP_SYS (readlink),
  SCMP_SYS (readlinkat),
  SCMP_SYS (access),
  SCMP_SYS (faccessat),
  SCMP_SYS (faccessat2),
  SCMP_SYS (getdents64),
  SCMP_SYS (restart_syscall),
  SCMP_SYS (membarrier),
  SCMP_SYS (getpriority),
  SCMP_SYS (pipe2),
  SCMP_SYS (eventfd2),
  SCMP_SYS (openat),
  SCMP_SYS (open),
  /* temporary files of libclamav's unpackers, confined by Landlock */
  SCMP_SYS (mkdir),
  SCMP_SYS (mkdirat),
  SCMP_SYS (unlink),
  SCMP_SYS (unlinkat),
  SCMP_SYS (rmdir),
  SCMP_SYS (rename),
  SCMP_SYS (renameat),
  SCMP_SYS (renameat2),
  SCMP_SYS (ftruncate),
  SCMP_SYS (fsync),
  SCMP_SYS (fdatasync),
  SCMP_SYS (fchmod),
  SCMP_SYS (umask),
  SCMP_SYS (fadvise64),
  SCMP_SYS (chdir),
  SCMP_SYS (fchdir),
  SCMP_SYS (chmod),
  SCMP_SYS (fchmodat),
  SCMP_SYS (statfs),
  SCMP_SYS (fstatfs),
  SCMP_SYS (lstat),
  SCMP_SYS (stat),
  SCMP_SYS (utimensat),
  /* a child forked to run one risky job under lower limits (fork below) */
  SCMP_SYS (wait4),
  SCMP_SYS (alarm),
  SCMP_SYS (setitimer),
};

/* clone's flags from glibc's fork (): a plain child process, no shared memory,
 * no new namespace. It inherits this filter and these limits. */
#define MG_SANDBOX_FORK_FLAGS (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD)

static int
add_rules (scmp_filter_ctx ctx)
{
  int rc = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (allowed) && rc == 0; i++)
    rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, allowed[i], 0);
  if (rc == 0) /* send on a socket already connected (syslog), never a new peer */
    rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (sendto), 1,
                           SCMP_A4 (SCMP_CMP_EQ, 0));
  if (rc == 0) /* threads */
    rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (clone), 1,
                           SCMP_A0 (SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
  if (rc == 0) /* and fork (), nothing else that makes a process */
    rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (clone), 1,
                           SCMP_A0 (SCMP_CMP_EQ, MG_SANDBOX_FORK_FLAGS));
  if (rc == 0) /* clone3's flags cannot be inspected: glibc falls back to clone */
    rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOSYS), SCMP_SYS (clone3), 0);
  if (rc == 0) /* a child may restrict itself further (util/mapcap.c) */
    rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (prctl), 1,
                           SCMP_A0 (SCMP_CMP_EQ, PR_SET_NO_NEW_PRIVS));
  if (rc == 0)
    rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (seccomp), 1,
                           SCMP_A0 (SCMP_CMP_EQ, SECCOMP_SET_MODE_FILTER));
  if (rc == 0) /* raise () on this process only: its user may be a saved id of the front */
    rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (tgkill), 1,
                           SCMP_A0 (SCMP_CMP_EQ, (scmp_datum_t) getpid ()));
  if (rc == 0) /* isatty() only */
    rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (ioctl), 1,
                           SCMP_A1 (SCMP_CMP_EQ, TCGETS));
  return rc;
}

static gboolean
install_seccomp (GError **error)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_KILL_PROCESS);
  int rc;

  if (ctx == NULL) {
    errno = ENOMEM;
    return fail (error, "seccomp_init");
  }
  rc = add_rules (ctx);
  return mg_privs_seccomp_load (ctx, rc, error);
}

#define MG_LANDLOCK_WRITES                                                                    \
  (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                            \
   LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |                            \
   LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | \
   LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |                             \
   LANDLOCK_ACCESS_FS_MAKE_SYM)

/* Writes anywhere but DIR are refused by the kernel. FALSE without an error
 * where the kernel has no Landlock (writes are then bounded by the user and
 * RLIMIT_FSIZE only, and the log says so). */
static gboolean
confine_writes (const char *dir, GError **error)
{
  struct landlock_ruleset_attr attr = { .handled_access_fs = MG_LANDLOCK_WRITES };
  struct landlock_path_beneath_attr beneath = { .allowed_access = MG_LANDLOCK_WRITES };
  int ruleset = (int) syscall (SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  gboolean ok;

  if (ruleset < 0) {
    g_warning ("sandbox: no Landlock in this kernel: writes are not confined to %s", dir);
    return TRUE;
  }
  beneath.parent_fd = open (dir, O_PATH | O_CLOEXEC | O_DIRECTORY);
  ok = beneath.parent_fd >= 0 &&
       syscall (SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) ==
           0 &&
       syscall (SYS_landlock_restrict_self, ruleset, 0) == 0;
  if (!ok)
    fail (error, "landlock");
  if (beneath.parent_fd >= 0)
    close (beneath.parent_fd);
  close (ruleset);
  return ok;
}

/* The worker's own temporary directory, made after leaving root so that it
 * is the worker's; TMPDIR points there for libclamav. */
static char *
make_tmp (GError **error)
{
  g_autofree char *tmpl = g_strdup_printf ("%s/" MG_SANDBOX_TMP_PREFIX "%d-XXXXXX",
                                           g_get_tmp_dir (), (int) getpid ());
  if (g_mkdtemp (tmpl) == NULL) {
    fail (error, "temporary directory");
    return NULL;
  }
  g_setenv ("TMPDIR", tmpl, TRUE);
  return g_steal_pointer (&tmpl);
}

gboolean
mg_sandbox_enter (const MgSandboxLimits *limits, GError **error)
{
  g_autofree char *tmp = NULL;

  if (!drop_root (limits, error) || (tmp = make_tmp (error)) == NULL)
    return FALSE;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return fail (error, "PR_SET_NO_NEW_PRIVS");
  if (!set_limits (limits, error) || !confine_writes (tmp, error))
    return FALSE;
  return install_seccomp (error);
}

void
mg_sandbox_remove_tmp (int pid)
{
  g_autofree char *prefix = g_strdup_printf (MG_SANDBOX_TMP_PREFIX "%d-", pid);
  g_autoptr (GDir) dir = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
    if (g_str_has_prefix (name, prefix) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
      mg_tree_remove (path);
  }
}

void
mg_sandbox_remove_stale_tmp (void)
{
  g_autoptr (GDir) dir = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    gint64 pid;
    if (!g_str_has_prefix (name, MG_SANDBOX_TMP_PREFIX))
      continue;
    pid = g_ascii_strtoll (name + strlen (MG_SANDBOX_TMP_PREFIX), NULL, 10);
    if (pid > 0 && kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
      mg_sandbox_remove_tmp ((int) pid);
  }
}
