/* milter_signals.c - SIGTERM, SIGINT and SIGHUP taken in one place. */
#include "milter/milter_signals.h"

#include <errno.h>
#include <signal.h>

static GMutex released_lock;
static GCond released_cond;
static gboolean released;

static void
control_signals (sigset_t *set)
{
  sigemptyset (set);
  sigaddset (set, SIGTERM);
  sigaddset (set, SIGHUP);
  sigaddset (set, SIGINT);
  sigaddset (set, MG_MILTER_SIGNAL_ENDED);
}

void
mg_milter_signals_block (void)
{
  sigset_t set;

  control_signals (&set);
  pthread_sigmask (SIG_BLOCK, &set, NULL);
  signal (SIGPIPE, SIG_IGN);
}

void
mg_milter_signals_unblock (void)
{
  sigset_t none;

  sigemptyset (&none);
  pthread_sigmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);
}

int
mg_milter_signals_wait (void)
{
  sigset_t set;
  int sig;

  control_signals (&set);
  do
    sig = sigwaitinfo (&set, NULL);
  while (sig < 0 && errno == EINTR);
  return sig;
}

void
mg_milter_signals_release (void)
{
  g_mutex_lock (&released_lock);
  released = TRUE;
  g_cond_broadcast (&released_cond);
  g_mutex_unlock (&released_lock);
}

/* The only caller of sigwait in the program is libmilter's signal thread
 * (main.c and this file use sigwaitinfo): this definition takes the place of
 * the C library's for libmilter (see milter_signals.h). */
int
sigwait (const sigset_t *set, int *sig)
{
  int got;

  g_mutex_lock (&released_lock);
  while (!released)
    g_cond_wait (&released_cond, &released_lock);
  g_mutex_unlock (&released_lock);
  do
    got = sigwaitinfo (set, NULL);
  while (got < 0 && errno == EINTR);
  if (got < 0)
    return errno;
  *sig = got;
  return 0;
}
