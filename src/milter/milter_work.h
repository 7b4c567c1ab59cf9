/* milter_work.h - run the pipeline on one message, bounded and watched.
 *
 * At most max_inflight messages are sanitised at once; one more is refused at
 * once (MG_MILTER_WORK_ERROR_BUSY) rather than queued, so memory cannot grow
 * with the load. The pipeline runs in a pool thread while the libmilter
 * thread waits, calling a progress function every few seconds (so Postfix's
 * milter_content_timeout does not fire) and giving up after the deadline. A
 * job given up on still finishes in its pool thread and keeps its slot until
 * then. It never returns a result for a message other than the one given.
 */
#pragma once
#include <glib.h>

#include "milter/milter_engine.h"

typedef struct MgMilterWork MgMilterWork;

#define MG_MILTER_WORK_ERROR (mg_milter_work_error_quark ())
GQuark mg_milter_work_error_quark (void);
typedef enum {
  MG_MILTER_WORK_ERROR_BUSY,    /* max_inflight messages already in work */
  MG_MILTER_WORK_ERROR_TIMEOUT, /* the deadline passed */
} MgMilterWorkError;

typedef void (*MgMilterProgressFunc) (gpointer data);

/* MAX_INFLIGHT messages at once on ENGINE; each may take TIMEOUT seconds;
 * PROGRESS_INTERVAL seconds between progress calls. */
MgMilterWork *mg_milter_work_new (MgMilterEngine *engine, guint max_inflight, guint timeout,
                                  guint progress_interval);
/* Waits for jobs still running in the pool, then frees. */
void mg_milter_work_free (MgMilterWork *work);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgMilterWork, mg_milter_work_free)

/* Sanitise MESSAGE with its ENVELOPE (may be NULL), calling PROGRESS
 * (PROGRESS_DATA) while waiting. Returns the pipeline's result (caller owns
 * it), or FALSE with ERROR: BUSY, TIMEOUT, or the pipeline's own error. */
gboolean mg_milter_work_run (MgMilterWork *work, GBytes *message, const char *queue_id,
                             const MgEnvelope *envelope, MgMilterProgressFunc progress,
                             gpointer progress_data, MgMailResult **result_r, GError **error);

/* Messages in work now (for tests and the shutdown log). */
guint mg_milter_work_inflight (MgMilterWork *work);
