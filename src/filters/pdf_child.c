/* pdf_child.c - one PDF rendered in a child process with its own budget
 * (see pdf_child.h).
 *
 * The child's answer: action, reason and detail length (three 32-bit
 * integers, host order), the detail (UTF-8), then the rebuilt PDF to the end.
 * The child ends itself: alarm () at [pdf] max_seconds, RLIMIT_CPU just past
 * it, so the parent (which may not send signals) only reads and waits.
 */
#include "filters/pdf_child.h"

#include <errno.h>
#include <glib-unix.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/mapcap.h"

/* Exit codes of the child besides 0 (answer sent). */
#define MG_PDF_CHILD_EXIT_WRITE 3     /* the answer could not be written */
#define MG_PDF_CHILD_EXIT_MEMORY 4    /* the watchdog saw max_memory exceeded */
#define MG_PDF_CHILD_EXIT_STACK 5     /* the drawing nested past the stack */
#define MG_PDF_CHILD_STACK (8u << 20) /* bytes of stack for the drawing, at most */
#define MG_PDF_CHILD_STACK_SLACK (1u << 20)

#define MG_PDF_CHILD_HEADER 12 /* action, reason, detail length */
#define MG_PDF_CHILD_MAX_DETAIL 4096
#define MG_PDF_CHILD_WATCH_US 20000 /* resident memory checked every 20 ms */
#define MG_PDF_CHILD_GRACE_MS 10000 /* the parent's wait beyond the child's alarm */

/* --- in the child ------------------------------------------------------ */

/* Field FIELD (0: size, 1: resident) of /proc/self/statm in bytes, or 0. */
static guint64
statm_bytes (int field)
{
  g_autofree char *text = NULL;
  guint64 value = 0;
  char *p;

  if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL))
    return 0;
  p = text;
  for (int i = 0; i <= field; i++)
    value = g_ascii_strtoull (p, &p, 10);
  return value * (guint64) sysconf (_SC_PAGESIZE);
}

static void
lower_limit (int resource, rlim_t value)
{
  struct rlimit rl;

  if (getrlimit (resource, &rl) == 0 &&
      (rl.rlim_max == RLIM_INFINITY || value < rl.rlim_max)) {
    rl.rlim_cur = rl.rlim_max = value;
    setrlimit (resource, &rl);
  }
}

/* Resident memory past the budget ends the child (the address-space limit
 * cannot be used under AddressSanitizer, and it counts no page twice). */
static gpointer
watchdog (gpointer data)
{
  guint64 limit = GPOINTER_TO_SIZE (data);

  for (;;) {
    g_usleep (MG_PDF_CHILD_WATCH_US);
    if (statm_bytes (1) > limit)
      _exit (MG_PDF_CHILD_EXIT_MEMORY);
  }
  return NULL;
}

/* Signals that end the child, by their default action: the parent reads
 * them from its status (a handler inherited from the worker, or a fuzzer's
 * crash handler, must not run in the child). */
static const int child_signals[] = { SIGALRM, SIGXCPU, SIGSEGV, SIGBUS,
                                     SIGILL,  SIGFPE,  SIGABRT, SIGTRAP };

static guintptr stack_top; /* an address near the top of the child's stack */
static gsize stack_size;   /* its RLIMIT_STACK */

/* SIGSEGV on the alternate stack: a fault just below the stack is a drawing
 * that nests without end (a glyph, pattern or form that draws itself). Any
 * other fault runs again under the default action (SA_RESETHAND). */
static void
stack_fault (int sig, siginfo_t *info, void *context)
{
  guintptr at = (guintptr) info->si_addr;

  (void) sig;
  (void) context;
  if (at < stack_top && stack_top - at <= stack_size + MG_PDF_CHILD_STACK_SLACK)
    _exit (MG_PDF_CHILD_EXIT_STACK);
}

static void
watch_stack (void)
{
  static guint8 alt[64 << 10];
  stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt };
  struct sigaction sa = { .sa_sigaction = stack_fault,
                          .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND };
  struct rlimit rl;
  guint8 here;

  lower_limit (RLIMIT_STACK, MG_PDF_CHILD_STACK);
  stack_top = (guintptr) &here;
  stack_size = getrlimit (RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                   ? rl.rlim_cur
                   : MG_PDF_CHILD_STACK;
  sigemptyset (&sa.sa_mask);
  if (sigaltstack (&ss, NULL) == 0)
    sigaction (SIGSEGV, &sa, NULL);
}

/* The child's own budget: a deadline it cannot block, CPU time, memory. */
static void
child_limits (const MgPdfConfig *pdf)
{
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  guint64 budget = (guint64) pdf->max_memory << 20;
  g_autoptr (GError) error = NULL;
  pthread_t thread;
  sigset_t set;

  sigemptyset (&set);
  for (gsize i = 0; i < G_N_ELEMENTS (child_signals); i++) {
    sigaddset (&set, child_signals[i]);
    sigaction (child_signals[i], &dfl, NULL);
  }
  sigprocmask (SIG_UNBLOCK, &set, NULL);
  watch_stack ();
  alarm ((unsigned) pdf->max_seconds);
  lower_limit (RLIMIT_CPU, (rlim_t) pdf->max_seconds + 1);
#ifndef __SANITIZE_ADDRESS__
  lower_limit (RLIMIT_AS, (rlim_t) (statm_bytes (0) + budget));
#endif
  if (!mg_mapcap_install (budget, MG_PDF_CHILD_EXIT_MEMORY, &error))
    g_warning ("pdf: %s", error->message); /* the other limits hold */
  /* pthread, not GThread: GLib names its threads with prctl (), which the
   * sandbox refuses */
  if (pthread_create (&thread, NULL, watchdog, GSIZE_TO_POINTER (statm_bytes (1) + budget)) ==
      0)
    pthread_detach (thread);
}

static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0) {
    ssize_t n = write (fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    len -= (gsize) n;
  }
  return TRUE;
}

static gboolean
send_result (int fd, const MgFilterResult *result)
{
  const char *detail = result->detail != NULL ? result->detail : "";
  guint32 head[3] = { result->action, result->reason,
                      (guint32) MIN (strlen (detail), MG_PDF_CHILD_MAX_DETAIL) };
  gsize out_len = 0;
  const guint8 *out = result->output != NULL ? g_bytes_get_data (result->output, &out_len)
                                             : NULL;

  return write_all (fd, (const guint8 *) head, sizeof head) &&
         write_all (fd, (const guint8 *) detail, head[2]) &&
         (out == NULL || write_all (fd, out, out_len));
}

static void G_GNUC_NORETURN
child_main (int fd, MgPdfChildWork work, GBytes *input, const MgFilterInput *in)
{
  MgFilterResult result = { 0 };

  child_limits (&in->config->pdf);
  work (input, in, &result);
  _exit (send_result (fd, &result) ? 0 : MG_PDF_CHILD_EXIT_WRITE);
}

/* --- in the parent ----------------------------------------------------- */

/* Everything the child writes on FD until it closes it, at most MAX bytes,
 * within TIMEOUT_MS; NULL when it wrote more (*LATE_R FALSE) or took longer
 * (*LATE_R TRUE). */
static GByteArray *
read_answer (int fd, gsize max, gint64 timeout_ms, gboolean *late_r)
{
  g_autoptr (GByteArray) answer = g_byte_array_new ();
  gint64 end = g_get_monotonic_time () + timeout_ms * 1000;
  guint8 buf[65536];

  *late_r = FALSE;
  for (;;) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    gint64 left = (end - g_get_monotonic_time ()) / 1000;
    if (left <= 0) {
      *late_r = TRUE;
      return NULL;
    }
    int rc = poll (&p, 1, (int) MIN (left, G_MAXINT));
    if (rc < 0 && errno != EINTR)
      return NULL;
    if (rc <= 0)
      continue;
    ssize_t n = read (fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 || answer->len + (gsize) n > max)
      return NULL;
    if (n == 0)
      return g_steal_pointer (&answer);
    g_byte_array_append (answer, buf, (guint) n);
  }
}

/* RESULT from the child's ANSWER; FALSE when it is malformed. */
static gboolean
decode_answer (const GByteArray *answer, MgFilterResult *result)
{
  guint32 head[3];

  if (answer->len < MG_PDF_CHILD_HEADER)
    return FALSE;
  memcpy (head, answer->data, sizeof head);
  if (head[0] > MG_ACTION_WITHHELD || head[1] >= MG_REASON_COUNT ||
      head[2] > MG_PDF_CHILD_MAX_DETAIL || head[2] > answer->len - MG_PDF_CHILD_HEADER)
    return FALSE;
  gsize out_at = MG_PDF_CHILD_HEADER + head[2];
  gboolean converted = head[0] == MG_ACTION_CONVERTED;
  if (converted != (answer->len > out_at))
    return FALSE; /* a PDF exactly when converted */
  mg_filter_result_set (
      result, head[0], head[1],
      g_utf8_make_valid ((const char *) answer->data + MG_PDF_CHILD_HEADER, head[2]));
  if (converted) {
    result->output = g_bytes_new (answer->data + out_at, answer->len - out_at);
    result->output_type = g_strdup ("application/pdf");
    result->output_extension = g_strdup (".pdf");
  }
  return TRUE;
}

/* Why the child ended without an answer (STATUS from wait4), for the report. */
static void
child_failed (int status, const MgPdfConfig *pdf, MgFilterResult *result)
{
  int sig = WIFSIGNALED (status) ? WTERMSIG (status) : 0;

  if (sig == SIGALRM || sig == SIGXCPU || sig == SIGKILL)
    mg_filter_result_set (
        result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
        g_strdup_printf ("redrawing took longer than [pdf] max_seconds (%" G_GINT64_FORMAT ")",
                         pdf->max_seconds));
  else if ((WIFEXITED (status) && WEXITSTATUS (status) == MG_PDF_CHILD_EXIT_MEMORY) ||
           sig == SIGABRT)
    mg_filter_result_set (result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
                          g_strdup_printf ("redrawing needed more memory than [pdf] max_memory"
                                           " (%" G_GINT64_FORMAT " MiB)",
                                           pdf->max_memory));
  else if (WIFEXITED (status) && WEXITSTATUS (status) == MG_PDF_CHILD_EXIT_STACK)
    mg_filter_result_set (result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
                          g_strdup_printf ("the drawing nests deeper than the renderer's "
                                           "%u MiB stack (a glyph, pattern or form that "
                                           "draws itself)",
                                           MG_PDF_CHILD_STACK >> 20));
  else if (sig == SIGSYS) /* abort () too: the sandbox lets tgkill reach the worker only */
    mg_filter_result_set (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
                          g_strdup ("the renderer stopped on this PDF (SIGSYS: it aborted, "
                                    "or made a call the sandbox forbids)"));
  else if (sig != 0)
    mg_filter_result_set (
        result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
        g_strdup_printf ("the renderer crashed on this PDF (%s)", g_strsignal (sig)));
  else
    mg_filter_result_set (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
                          g_strdup_printf ("the renderer ended without a result (exit %d)",
                                           WIFEXITED (status) ? WEXITSTATUS (status) : -1));
}

/* Wait for PID; its status, or -1 when it has not ended (it will, by its
 * own alarm; a zombie is left until the worker retires). */
static int
child_wait (pid_t pid, gboolean block)
{
  int status = 0;
  pid_t rc;

  do
    rc = waitpid (pid, &status, block ? 0 : WNOHANG);
  while (rc < 0 && errno == EINTR);
  return rc == pid ? status : -1;
}

/* Read the answer of child PID on FD and fill RESULT from it, or say why
 * there is none. */
static void
child_collect (pid_t pid, int fd, const MgPdfConfig *pdf, MgFilterResult *result)
{
  gsize max = MG_PDF_CHILD_HEADER + MG_PDF_CHILD_MAX_DETAIL +
              (gsize) MIN (pdf->max_output_size, (gint64) G_MAXUINT);
  gboolean late;
  g_autoptr (GByteArray)
      answer = read_answer (fd, max, pdf->max_seconds * 1000 + MG_PDF_CHILD_GRACE_MS, &late);
  int status = child_wait (pid, !late);

  if (status == -1)
    child_failed (SIGALRM, pdf, result); /* as its alarm will end it */
  else if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    child_failed (status, pdf, result);
  else if (answer == NULL || !decode_answer (answer, result))
    mg_filter_result_set (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
                          g_strdup ("the renderer's answer was malformed or too large"));
}

void
mg_pdf_child_run (MgPdfChildWork work, GBytes *input, const MgFilterInput *in,
                  MgFilterResult *result)
{
  g_autoptr (GError) error = NULL;
  int fds[2];
  pid_t pid;

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error)) {
    mg_filter_result_set (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
                          g_strdup_printf ("cannot start the renderer: %s", error->message));
    return;
  }
  pid = fork ();
  if (pid == 0) {
    close (fds[0]);
    child_main (fds[1], work, input, in);
  }
  if (pid < 0)
    mg_filter_result_set (
        result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
        g_strdup_printf ("cannot start the renderer: %s", g_strerror (errno)));
  close (fds[1]);
  if (pid > 0)
    child_collect (pid, fds[0], &in->config->pdf, result);
  close (fds[0]);
}
