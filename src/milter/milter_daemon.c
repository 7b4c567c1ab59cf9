/* milter_daemon.c - fork, report start-up status through a pipe, pid file.
 *
 * Must be called before any thread exists (fork copies only the caller).
 */
#include "milter/milter_daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fdio.h"

static int status_fd = -1; /* write end towards the waiting parent */

static G_NORETURN void
parent_wait (int read_fd, pid_t child)
{
  unsigned char status = MG_EXIT_OSERR; /* the child died without a word */
  ssize_t n;

  do
    n = read (read_fd, &status, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) {
    int wstatus;
    if (waitpid (child, &wstatus, 0) == child && WIFEXITED (wstatus))
      status = WEXITSTATUS (wstatus);
  }
  _exit (status);
}

void
mg_milter_daemon_detach (void)
{
  int fds[2];
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    mg_milter_daemon_fail (MG_EXIT_OSERR, "pipe: %s", g_strerror (errno));
  pid = fork ();
  if (pid < 0)
    mg_milter_daemon_fail (MG_EXIT_OSERR, "fork: %s", g_strerror (errno));
  if (pid > 0) {
    close (fds[1]);
    parent_wait (fds[0], pid);
  }
  close (fds[0]);
  status_fd = fds[1];
  if (setsid () < 0 || chdir ("/") < 0)
    mg_milter_daemon_fail (MG_EXIT_OSERR, "setsid/chdir: %s", g_strerror (errno));
}

static void
tell_parent (unsigned char status)
{
  if (status_fd < 0)
    return;
  (void) mg_fdio_write_all (status_fd, &status, 1, NULL);
  mg_clear_fd (&status_fd);
}

void
mg_milter_daemon_ready (void)
{
  int null_fd;

  if (status_fd < 0)
    return;
  null_fd = open ("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    dup2 (null_fd, STDIN_FILENO);
    dup2 (null_fd, STDOUT_FILENO);
    dup2 (null_fd, STDERR_FILENO);
    if (null_fd > STDERR_FILENO)
      close (null_fd);
  }
  tell_parent (0);
}

void
mg_milter_daemon_fail (int status, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "mugai-milter: %s\n", message);
  if (status_fd >= 0)
    g_warning ("NOQUEUE: %s", message);
  tell_parent ((unsigned char) status);
  exit (status);
}

gboolean
mg_milter_daemon_write_pid (const char *path, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%ld\n", (long) getpid ());

  return mg_fdio_write_file_atomic (path, text, strlen (text), error);
}
