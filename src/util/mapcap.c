/* mapcap.c - a seccomp rule against huge mappings (see mapcap.h). */
#include "util/mapcap.h"

#include <errno.h>
#include <gio/gio.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

static int mapcap_exit_code;

static void
mapcap_trapped (int sig, siginfo_t *info, void *context)
{
  (void) sig;
  (void) info;
  (void) context;
  _exit (mapcap_exit_code); /* only the rules below trap */
}

static int
mapcap_rules (scmp_filter_ctx ctx, gsize max_bytes)
{
  int rc = seccomp_rule_add (ctx, SCMP_ACT_TRAP, SCMP_SYS (mmap), 1,
                             SCMP_A1 (SCMP_CMP_GT, (scmp_datum_t) max_bytes));

  if (rc == 0) /* mremap (old, old_size, new_size, ...) */
    rc = seccomp_rule_add (ctx, SCMP_ACT_TRAP, SCMP_SYS (mremap), 1,
                           SCMP_A2 (SCMP_CMP_GT, (scmp_datum_t) max_bytes));
  /* no_new_privs is set by the sandbox already, or here (it only restricts) */
  if (rc == 0 && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    rc = -errno;
  if (rc == 0)
    rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc == 0)
    rc = seccomp_load (ctx);
  return rc;
}

gboolean
mg_mapcap_install (gsize max_bytes, int exit_code, GError **error)
{
  struct sigaction trap = { .sa_sigaction = mapcap_trapped, .sa_flags = SA_SIGINFO };
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
  int rc;

  if (ctx == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "seccomp_init failed");
    return FALSE;
  }
  mapcap_exit_code = exit_code;
  sigemptyset (&trap.sa_mask);
  sigaction (SIGSYS, &trap, NULL);
  rc = mapcap_rules (ctx, max_bytes);
  seccomp_release (ctx);
  if (rc != 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-rc), "seccomp: %s",
                 g_strerror (-rc));
  return rc == 0;
}
