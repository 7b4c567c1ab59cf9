/* milter_signals.h - SIGTERM, SIGINT and SIGHUP taken in one place.
 *
 * The control signals are blocked before any thread exists and only the main
 * thread waits for them (mg_milter_signals_wait). libmilter runs a signal
 * thread of its own that sigwaits for the same signals and stops the milter
 * at once; whichever thread dequeues a process signal first gets it, so a
 * SIGTERM in the first instant after start could end up there (no draining,
 * and the milter could not tell it from libmilter giving up). The program
 * therefore defines sigwait itself (libmilter's call resolves to it): it
 * waits for mg_milter_signals_release before it takes any signal, so once
 * the first stop has been taken a second SIGTERM while draining stops
 * libmilter at once.
 */
#pragma once
#include <glib.h>
#include <signal.h>

/* SIGUSR1 tells the main thread that smfi_main returned on its own. */
#define MG_MILTER_SIGNAL_ENDED SIGUSR1

/* Block the control signals (and ignore SIGPIPE) in the calling thread, to be
 * inherited by every thread made later. */
void mg_milter_signals_block (void);
/* Undo mg_milter_signals_block (the supervisor, exec'd from a thread). */
void mg_milter_signals_unblock (void);
/* Wait for the next control signal; returns its number. */
int mg_milter_signals_wait (void);
/* From now on libmilter's signal thread may take the control signals. */
void mg_milter_signals_release (void);
